package dev.offpeak.ingest.bulk;

import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.IngestMetrics.Endpoint;
import dev.offpeak.ingest.IngestMetrics;
import dev.offpeak.ingest.IntakeResult;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.ingest.kafka.TaskPublisher;
import dev.offpeak.schemas.tenants.TenantPolicy;
import dev.offpeak.schemas.validation.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming bulk path: read a line, check it, send it asynchronously, repeat — with at most
 * {@code maxInFlight} sends outstanding, so memory stays bounded however large the upload. Returns
 * only after every send was acknowledged or failed, so the answer never calls a line accepted
 * before Kafka durably has it. Once one send fails for lack of Kafka, later lines are still checked
 * but not sent (each would wait out max.block): they are reported as not sent.
 */
public final class BulkIngest {
    private static final Logger log = LoggerFactory.getLogger(BulkIngest.class);

    public record Settings(String topic, int maxLineBytes, int maxInFlight) {}

    private final TaskPublisher publisher;
    private final IngestMetrics metrics;
    private final Settings settings;
    private final TaskPublisher.SendTimer sendTimer;

    public BulkIngest(TaskPublisher publisher, IngestMetrics metrics, Settings settings) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.settings = settings;
        this.sendTimer = metrics::sendLatency;
    }

    public BulkResult run(InputStream body, TenantPolicy tenant, LineDecoder decoder, Endpoint endpoint)
            throws InterruptedException {
        BulkResult result = new BulkResult();
        Semaphore inFlight = new Semaphore(settings.maxInFlight());
        AtomicBoolean kafkaDown = new AtomicBoolean();
        LineReader lines = new LineReader(body, settings.maxLineBytes());
        try {
            while (lines.next()) {
                if (lines.isBlank()) {
                    continue; // JSONL files often end with an empty line; blank lines carry no task
                }
                int line = lines.number();
                if (lines.overflowed()) {
                    reject(result, endpoint, line, tooLong(lines.overflowBytes()));
                } else {
                    switch (decode(decoder, lines, tenant)) {
                        case Rejection rejection -> reject(result, endpoint, line, rejection);
                        case IntakeResult.Ready ready when kafkaDown.get() -> reject(result, endpoint, line,
                                Rejection.of(ErrorCode.KAFKA_UNAVAILABLE, "not sent: Kafka failed on an earlier line"));
                        case IntakeResult.Ready ready -> send(result, endpoint, line, ready, inFlight, kafkaDown);
                    }
                }
            }
        } catch (IOException e) {
            // The client broke off or the connection failed: what was acknowledged stays accepted.
            result.readFailed(Rejection.of(ErrorCode.UNREADABLE_BODY, "the body could not be read to its end ("
                    + e.getClass().getSimpleName() + "); lines after the last one reported were not processed"));
        } finally {
            inFlight.acquire(settings.maxInFlight()); // every send has now completed one way or the other
        }
        return result;
    }

    /**
     * A bug in checking one line must not lose the answer for the lines already acknowledged, so it
     * is reported on that line (and logged) instead of failing the whole request.
     */
    private static IntakeResult decode(LineDecoder decoder, LineReader lines, TenantPolicy tenant) {
        try {
            return decoder.decode(lines.bytes(), 0, lines.length(), tenant);
        } catch (RuntimeException e) {
            log.error("Checking line {} failed unexpectedly", lines.number(), e);
            return Rejection.of(ErrorCode.INTERNAL, "this line could not be checked (internal error, logged)");
        }
    }

    private void send(BulkResult result, Endpoint endpoint, int line, IntakeResult.Ready ready, Semaphore inFlight,
                      AtomicBoolean kafkaDown) throws InterruptedException {
        inFlight.acquire();
        publisher.send(settings.topic(), ready.key(), ready.value(), sendTimer, (metadata, rejection) -> {
            try {
                if (rejection == null) {
                    result.accept(line, ready.taskId());
                    metrics.accepted(endpoint);
                } else {
                    if (rejection.code() == ErrorCode.KAFKA_UNAVAILABLE) {
                        kafkaDown.set(true);
                    }
                    reject(result, endpoint, line, rejection);
                }
            } finally {
                inFlight.release();
            }
        });
    }

    private void reject(BulkResult result, Endpoint endpoint, int line, Rejection rejection) {
        result.reject(line, rejection);
        metrics.rejected(endpoint, rejection.code());
    }

    private Rejection tooLong(long bytes) {
        return Rejection.of(ErrorCode.TOO_LARGE, Problem.ROOT, "line has " + bytes + " bytes or more; the limit per task is "
                + settings.maxLineBytes() + " bytes (OFFPEAK_INGEST_MAX_TASK_BYTES)");
    }
}
