package dev.offpeak.batcher;

import dev.offpeak.schemas.events.Provider;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Lane names and batch ids. A lane is {@code provider|endpoint|model|shard}; a hot model is split
 * into shards by its request id, so identical requests always meet in the same shard (their
 * dedup has happened already, but a retry of the same id must not land in a second lane).
 */
public final class Lanes {
    private Lanes() {}

    public static String lane(Provider provider, String endpoint, String model, int shard) {
        return provider.id() + "|" + endpoint + "|" + model + "|" + shard;
    }

    /** {@code hash(request_id) mod shards}: the first 60 bits of the hex id, which is already uniform. */
    public static int shard(String requestId, int shards) {
        if (shards <= 1) {
            return 0;
        }
        return (int) (Long.parseLong(requestId.substring(0, 15), 16) % shards);
    }

    /**
     * A batch id matching {@code ^b-[A-Za-z0-9_-]{1,62}$}: provider, a short hash of the lane, when
     * the batch opened (base 36 millis, so ids stay unique even if the lane's counter were ever
     * reset with the state), and the lane's batch number.
     */
    public static String batchId(String lane, Provider provider, long openedAtMillis, long number) {
        CRC32 crc = new CRC32();
        crc.update(lane.getBytes(StandardCharsets.UTF_8));
        return String.format(Locale.ROOT, "b-%s-%08x-%s-%d", provider.id(), crc.getValue(),
                Long.toString(openedAtMillis, 36), number);
    }
}
