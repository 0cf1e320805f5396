package dev.offpeak.batcher.serde;

import dev.offpeak.batcher.LaneState.OpenBatch;
import dev.offpeak.batcher.LaneState;
import dev.offpeak.batcher.RunningSha256;
import dev.offpeak.schemas.events.Provider;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary form of {@link LaneState} for the lane store. The packer reads and writes its lane's entry
 * for every line, and the store's cache keeps values serialized, so as JSON this was a twelfth of
 * the batcher's CPU.
 */
public final class LaneStateSerde implements Serde<LaneState> {
    private static final byte VERSION = 1;

    @Override
    public Serializer<LaneState> serializer() {
        return (topic, state) -> state == null ? null : BinaryFormat.write(VERSION, out -> write(out, state));
    }

    @Override
    public Deserializer<LaneState> deserializer() {
        return (topic, data) -> data == null ? null : BinaryFormat.read(data, VERSION, VERSION, "LaneState",
                (in, version) -> read(in));
    }

    private static void write(DataOutputStream out, LaneState state) throws IOException {
        BinaryFormat.string(out, state.provider().id());
        BinaryFormat.string(out, state.endpoint());
        BinaryFormat.string(out, state.model());
        out.writeLong(state.nextNumber());
        OpenBatch open = state.open();
        out.writeBoolean(open != null);
        if (open == null) {
            return;
        }
        BinaryFormat.string(out, open.batchId());
        out.writeLong(open.count());
        out.writeLong(open.bytes());
        out.writeLong(open.tokens());
        BinaryFormat.instant(out, open.openedAt());
        out.writeInt(open.jobIds().size());
        for (String job : open.jobIds()) {
            BinaryFormat.string(out, job);
        }
        RunningSha256 checksum = open.checksum();
        out.writeInt(checksum.h().length);
        for (int word : checksum.h()) {
            out.writeInt(word);
        }
        BinaryFormat.bytes(out, checksum.tail());
        out.writeLong(checksum.length());
        BinaryFormat.instant(out, open.closeBy());
    }

    private static LaneState read(DataInputStream in) throws IOException {
        Provider provider = Provider.of(BinaryFormat.string(in));
        String endpoint = BinaryFormat.string(in);
        String model = BinaryFormat.string(in);
        long nextNumber = in.readLong();
        if (!in.readBoolean()) {
            return new LaneState(provider, endpoint, model, nextNumber, null);
        }
        String batchId = BinaryFormat.string(in);
        long count = in.readLong();
        long bytes = in.readLong();
        long tokens = in.readLong();
        var openedAt = BinaryFormat.instant(in);
        int jobCount = in.readInt();
        List<String> jobs = new ArrayList<>(jobCount);
        for (int i = 0; i < jobCount; i++) {
            jobs.add(BinaryFormat.string(in));
        }
        int[] h = new int[in.readInt()];
        for (int i = 0; i < h.length; i++) {
            h[i] = in.readInt();
        }
        RunningSha256 checksum = new RunningSha256(h, BinaryFormat.bytes(in), in.readLong());
        OpenBatch open = new OpenBatch(batchId, count, bytes, tokens, openedAt, jobs, checksum, BinaryFormat.instant(in));
        return new LaneState(provider, endpoint, model, nextNumber, open);
    }
}
