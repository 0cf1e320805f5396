package dev.offpeak.batcher.serde;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The framing shared by the batcher's binary serdes ({@link PendingTaskSerde}, {@link
 * LaneStateSerde}): a leading format-version byte, then fields written with {@link DataOutputStream};
 * strings as length-prefixed UTF-8 with -1 for null (unlike {@code writeUTF}, no 64 KB limit). A
 * serde writes its newest version and reads a range of them, so records a running deployment left
 * on its topics and changelogs stay readable after a format change.
 */
final class BinaryFormat {
    private BinaryFormat() {}

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads the fields after the version byte; {@code version} is the one the record was written in. */
    interface Reader<T> {
        T read(DataInputStream in, byte version) throws IOException;
    }

    static byte[] write(byte version, Writer writer) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(version);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** Reads a record written in any version from {@code oldest} to {@code newest}; any other is refused. */
    static <T> T read(byte[] data, byte oldest, byte newest, String what, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte found = in.readByte();
            if (found < oldest || found > newest) {
                throw new SerializationException("unknown " + what + " format version " + found + " (this batcher reads "
                        + (oldest == newest ? "version " + newest : "versions " + oldest + " to " + newest) + ")");
            }
            return reader.read(in, found);
        } catch (IOException e) {
            throw new SerializationException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    static void string(DataOutputStream out, String s) throws IOException {
        bytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    static String string(DataInputStream in) throws IOException {
        byte[] b = bytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static void bytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        return n < 0 ? null : in.readNBytes(n);
    }

    /** An instant to the nanosecond, or null (a flag byte first). */
    static void instant(DataOutputStream out, Instant at) throws IOException {
        out.writeBoolean(at != null);
        if (at != null) {
            out.writeLong(at.getEpochSecond());
            out.writeInt(at.getNano());
        }
    }

    static Instant instant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }
}
