package dev.offpeak.batcher;

import dev.offpeak.schemas.topics.DlqHeaders;
import dev.offpeak.schemas.validation.Problem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Builds DLQ records: the original key and bytes, the original headers, and ours naming the reason. */
final class DlqRecords {
    static final String SERVICE = "batcher-service";
    static final String MALFORMED_JSON = "malformed_json";
    static final String INVALID_TASK = "invalid_task";
    static final String TOO_LARGE = "too_large";
    static final String INVALID_JOB_SEALED = "invalid_job_sealed";
    /** Every reason this service gives; metrics register one counter per reason up front. */
    static final List<String> REASONS = List.of(MALFORMED_JSON, INVALID_TASK, TOO_LARGE, INVALID_JOB_SEALED);

    private DlqRecords() {}

    static Record<byte[], Intake> reject(ProcessorContext<byte[], Intake> context, Record<byte[], byte[]> record,
                                         String reason, List<Problem> problems) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        put(headers, DlqHeaders.REASON, reason);
        put(headers, DlqHeaders.PROBLEMS, problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        put(headers, DlqHeaders.SERVICE, SERVICE);
        context.recordMetadata().ifPresent(meta -> {
            put(headers, DlqHeaders.SOURCE_TOPIC, meta.topic());
            put(headers, DlqHeaders.SOURCE_PARTITION, Integer.toString(meta.partition()));
            put(headers, DlqHeaders.SOURCE_OFFSET, Long.toString(meta.offset()));
        });
        return new Record<>(record.key(), Intake.rejected(record.value()), record.timestamp(), headers);
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
