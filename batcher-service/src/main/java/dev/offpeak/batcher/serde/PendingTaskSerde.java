package dev.offpeak.batcher.serde;

import dev.offpeak.batcher.PackingInput;
import dev.offpeak.batcher.PendingTask;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary form of {@link PendingTask} and {@link PackingInput} for the by-packing-key
 * repartition topic. Every task not already on its packing partition crosses it, and as JSON its
 * provider line (itself JSON) was escaped on write and unescaped on read: profiling put that at a
 * sixth of the batcher's CPU. Internal to the batcher; the leading version byte lets the format
 * change without misreading old records (version 2 added the prefix fingerprint and tokens, version 3
 * the requested mode). Version 2 is still read, as a task that asked no mode, so the records a
 * running batcher left on the repartition topic are packed after an upgrade.
 */
public final class PendingTaskSerde {
    private static final byte VERSION = 3;
    /** The oldest version still read: the records of a batcher from before the requested mode. */
    private static final byte OLDEST = 2;

    private PendingTaskSerde() {}

    /** A packing input: tag 'I' + task, or tag 'S' + the job.sealed JSON (rare, so JSON is fine). */
    public static Serde<PackingInput> packingInputs() {
        JsonSerde<dev.offpeak.schemas.events.JobSealed> seals = new JsonSerde<>(dev.offpeak.schemas.events.JobSealed.class);
        return new Serde<>() {
            @Override
            public Serializer<PackingInput> serializer() {
                return (topic, input) -> input == null ? null : BinaryFormat.write(VERSION, out -> {
                    switch (input) {
                        case PackingInput.Item i -> {
                            out.writeByte('I');
                            writeTask(out, i.item());
                        }
                        case PackingInput.Seal s -> {
                            out.writeByte('S');
                            BinaryFormat.bytes(out, seals.serializer().serialize(topic, s.seal()));
                        }
                    }
                });
            }

            @Override
            public Deserializer<PackingInput> deserializer() {
                return (topic, data) -> data == null ? null : BinaryFormat.read(data, OLDEST, VERSION, "PackingInput",
                        (in, version) -> in.readByte() == 'I'
                                ? PackingInput.item(readTask(in, version))
                                : PackingInput.seal(seals.deserializer().deserialize(topic, BinaryFormat.bytes(in))));
            }
        };
    }

    private static void writeTask(DataOutputStream out, PendingTask t) throws IOException {
        BinaryFormat.string(out, t.taskId());
        BinaryFormat.string(out, t.tenant());
        BinaryFormat.string(out, t.jobId());
        BinaryFormat.string(out, t.provider().id());
        BinaryFormat.string(out, t.endpoint());
        BinaryFormat.string(out, t.model());
        out.writeInt(t.metadata().size());
        for (Map.Entry<String, String> e : t.metadata().entrySet()) {
            BinaryFormat.string(out, e.getKey());
            BinaryFormat.string(out, e.getValue());
        }
        BinaryFormat.string(out, t.notAfter() == null ? null : t.notAfter().toString());
        BinaryFormat.string(out, t.submittedAt() == null ? null : t.submittedAt().toString());
        BinaryFormat.string(out, t.requestId());
        BinaryFormat.string(out, t.lane());
        BinaryFormat.string(out, t.line());
        out.writeLong(t.lineBytes());
        out.writeLong(t.estimatedTokens());
        BinaryFormat.string(out, t.estimatedCostUsd().toPlainString());
        BinaryFormat.string(out, t.prefixFingerprint());
        out.writeLong(t.prefixTokens());
        BinaryFormat.string(out, t.mode() == null ? null : t.mode().id());
    }

    private static PendingTask readTask(DataInputStream in, byte version) throws IOException {
        String taskId = BinaryFormat.string(in);
        String tenant = BinaryFormat.string(in);
        String jobId = BinaryFormat.string(in);
        Provider provider = Provider.of(BinaryFormat.string(in));
        String endpoint = BinaryFormat.string(in);
        String model = BinaryFormat.string(in);
        int entries = in.readInt();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            metadata.put(BinaryFormat.string(in), BinaryFormat.string(in));
        }
        String notAfter = BinaryFormat.string(in);
        String submittedAt = BinaryFormat.string(in);
        String requestId = BinaryFormat.string(in);
        String lane = BinaryFormat.string(in);
        String line = BinaryFormat.string(in);
        long lineBytes = in.readLong();
        long estimatedTokens = in.readLong();
        BigDecimal cost = new BigDecimal(BinaryFormat.string(in));
        String prefixFingerprint = BinaryFormat.string(in);
        long prefixTokens = in.readLong();
        String mode = version >= 3 ? BinaryFormat.string(in) : null;
        return new PendingTask(taskId, tenant, jobId, provider, endpoint, model, metadata,
                notAfter == null ? null : Instant.parse(notAfter), submittedAt == null ? null : Instant.parse(submittedAt),
                requestId, lane, line, lineBytes, estimatedTokens, cost, prefixFingerprint, prefixTokens,
                mode == null ? null : RequestedMode.of(mode));
    }
}
