package dev.offpeak.ingest.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.tenants.TenantPolicy;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.SchemaValidator;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Builds and checks the job.sealed event of {@code POST /v1/jobs/{job_id}:seal}. */
public final class JobSeals {
    public static final int MAX_BODY_BYTES = 4096;
    /** The job_id rule of task.submitted, so a seal can name every job a task can. */
    private static final Pattern JOB_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$");

    /** A checked seal and the bytes to publish. */
    public record Seal(JobSealed event, byte[] value) {}

    private final InstantSource clock;

    public JobSeals(InstantSource clock) {
        this.clock = clock;
    }

    public static String checkJobId(String jobId) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw Rejection.of(ErrorCode.INVALID_TASK, "job_id", "must match " + JOB_ID.pattern()).exception();
        }
        return jobId;
    }

    public Seal prepare(String jobId, TenantPolicy tenant, byte[] body) {
        Long taskCount = body.length == 0 ? null : taskCount(body);
        JobSealed event = new JobSealed(jobId, tenant.tenant(), taskCount, clock.instant());
        List<Problem> problems = SchemaValidator.get().validate(EventTypes.JOB_SEALED, Json.tree(event));
        if (!problems.isEmpty()) {
            throw new Rejection(ErrorCode.INVALID_TASK, "invalid seal: " + problems.getFirst(), problems).exception();
        }
        return new Seal(event, Json.writeBytes(event));
    }

    private static Long taskCount(byte[] body) {
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(body);
        } catch (JacksonException e) {
            throw Rejection.of(ErrorCode.MALFORMED_JSON, Problem.ROOT, "malformed JSON: " + e.getOriginalMessage())
                    .exception();
        } catch (IOException e) {
            throw Rejection.of(ErrorCode.MALFORMED_JSON, Problem.ROOT, "malformed JSON: " + e.getMessage()).exception();
        }
        if (tree == null || tree.isMissingNode()) {
            return null;
        }
        if (!tree.isObject()) {
            throw Rejection.of(ErrorCode.INVALID_TASK, Problem.ROOT, "must be a JSON object such as {\"task_count\": 20000}")
                    .exception();
        }
        List<Problem> problems = new ArrayList<>();
        tree.fieldNames().forEachRemaining(name -> {
            if (!name.equals("task_count")) {
                problems.add(new Problem(name, "unknown field (a seal body may only hold task_count)"));
            }
        });
        JsonNode count = tree.get("task_count");
        if (count != null && !(count.canConvertToLong() && count.isIntegralNumber() && count.asLong() >= 0)) {
            problems.add(new Problem("task_count", "must be an integer >= 0, was " + count));
        }
        if (!problems.isEmpty()) {
            throw new Rejection(ErrorCode.INVALID_TASK, "invalid seal: " + problems.getFirst(), problems).exception();
        }
        return count == null ? null : count.asLong();
    }
}
