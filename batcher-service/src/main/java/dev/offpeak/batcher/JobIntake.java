package dev.offpeak.batcher;

import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.validation.Problem;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads {@code job.sealed} records from bytes, so a bad control record goes to the DLQ (with
 * {@code offpeak.dlq.source.topic = offpeak.jobs}) instead of stopping the app.
 */
final class JobIntake implements Processor<byte[], byte[], byte[], Intake> {
    private static final EventSerde<JobSealed> JOBS = EventSerde.of(JobSealed.class);

    private final BatcherMetrics metrics;
    private ProcessorContext<byte[], Intake> context;

    JobIntake(BatcherMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], Intake> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        try {
            JobSealed seal = record.value() == null ? null : JOBS.parse(record.value());
            if (seal == null || seal.jobId() == null || seal.jobId().isBlank()) {
                throw new SerializationException("job_id: required");
            }
            context.forward(record.withValue(Intake.seal(seal)));
        } catch (SerializationException e) {
            metrics.dlq(DlqRecords.INVALID_JOB_SEALED);
            context.forward(DlqRecords.reject(context, record, DlqRecords.INVALID_JOB_SEALED,
                    List.of(new Problem(Problem.ROOT, e.getMessage()))));
        }
    }
}
