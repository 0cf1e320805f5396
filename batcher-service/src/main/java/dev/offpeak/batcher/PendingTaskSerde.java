package dev.offpeak.batcher;

import dev.offpeak.schemas.events.Provider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary form of {@link PendingTask} and {@link LaneInput} for the two repartition topics.
 * Every task crosses them, and as JSON its provider line (itself JSON) was escaped on write and
 * unescaped on read at each hop: profiling put that at a sixth of the batcher's CPU. Internal to
 * the batcher; the leading version byte lets the format change without misreading old records.
 */
final class PendingTaskSerde {
    private static final byte VERSION = 1;

    private PendingTaskSerde() {}

    static Serde<PendingTask> tasks() {
        return new Serde<>() {
            @Override
            public Serializer<PendingTask> serializer() {
                return (topic, task) -> task == null ? null : write(out -> writeTask(out, task));
            }

            @Override
            public Deserializer<PendingTask> deserializer() {
                return (topic, data) -> data == null ? null : read(data, PendingTaskSerde::readTask);
            }
        };
    }

    /** A lane input: tag 'I' + task, or tag 'S' + the job.sealed JSON (rare, so JSON is fine). */
    static Serde<LaneInput> laneInputs() {
        JsonSerde<dev.offpeak.schemas.events.JobSealed> seals = new JsonSerde<>(dev.offpeak.schemas.events.JobSealed.class);
        return new Serde<>() {
            @Override
            public Serializer<LaneInput> serializer() {
                return (topic, input) -> input == null ? null : write(out -> {
                    if (input.item() != null) {
                        out.writeByte('I');
                        writeTask(out, input.item());
                    } else {
                        out.writeByte('S');
                        bytes(out, seals.serializer().serialize(topic, input.seal()));
                    }
                });
            }

            @Override
            public Deserializer<LaneInput> deserializer() {
                return (topic, data) -> data == null ? null : read(data, in -> in.readByte() == 'I'
                        ? LaneInput.item(readTask(in))
                        : LaneInput.seal(seals.deserializer().deserialize(topic, bytes(in))));
            }
        };
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(VERSION);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static <T> T read(byte[] data, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("unknown PendingTask format version " + version);
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new SerializationException("cannot read PendingTask: " + e.getMessage(), e);
        }
    }

    private static void writeTask(DataOutputStream out, PendingTask t) throws IOException {
        string(out, t.taskId());
        string(out, t.tenant());
        string(out, t.jobId());
        string(out, t.provider().id());
        string(out, t.endpoint());
        string(out, t.model());
        out.writeInt(t.metadata().size());
        for (Map.Entry<String, String> e : t.metadata().entrySet()) {
            string(out, e.getKey());
            string(out, e.getValue());
        }
        string(out, t.notAfter() == null ? null : t.notAfter().toString());
        string(out, t.submittedAt() == null ? null : t.submittedAt().toString());
        string(out, t.requestId());
        string(out, t.lane());
        string(out, t.line());
        out.writeLong(t.lineBytes());
        out.writeLong(t.estimatedTokens());
        string(out, t.estimatedCostUsd().toPlainString());
    }

    private static PendingTask readTask(DataInputStream in) throws IOException {
        String taskId = string(in);
        String tenant = string(in);
        String jobId = string(in);
        Provider provider = Provider.of(string(in));
        String endpoint = string(in);
        String model = string(in);
        int entries = in.readInt();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            metadata.put(string(in), string(in));
        }
        String notAfter = string(in);
        String submittedAt = string(in);
        return new PendingTask(taskId, tenant, jobId, provider, endpoint, model, metadata,
                notAfter == null ? null : Instant.parse(notAfter), submittedAt == null ? null : Instant.parse(submittedAt),
                string(in), string(in), string(in), in.readLong(), in.readLong(), new BigDecimal(string(in)));
    }

    /** Length-prefixed UTF-8 (-1 for null): unlike writeUTF, no 64 KB limit. */
    private static void string(DataOutputStream out, String s) throws IOException {
        bytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(DataInputStream in) throws IOException {
        byte[] b = bytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        return n < 0 ? null : in.readNBytes(n);
    }
}
