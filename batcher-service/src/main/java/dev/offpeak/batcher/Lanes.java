package dev.offpeak.batcher;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.packing.PackingKey;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Lane names, open-batch slots and batch ids. A lane is {@code provider|endpoint|model}
 * ({@link PackingKey#lane}): the requests that may share one provider batch. Each partition of
 * the packing key keeps its own open batch per lane, its slot {@code lane|p<partition>}: requests
 * sharing a cacheable prefix share a packing key, hence a partition, hence a batch; a hot prefix
 * split into shards spreads over several partitions and so over several batches.
 */
public final class Lanes {
    private Lanes() {}

    /** The lane store key of {@code lane}'s open batch on packing partition {@code partition}. */
    public static String slot(String lane, int partition) {
        return lane + "|p" + partition;
    }

    /**
     * A batch id matching {@code ^b-[A-Za-z0-9_-]{1,62}$}: provider, a short hash of the lane, the
     * packing partition (every partition has an open batch per lane, numbered on its own), when the
     * batch opened (base 36 millis, so ids stay unique even if a slot's counter were ever reset with
     * the state), and the slot's batch number. With up to 10^6 partitions and 10^12 batches per
     * slot the longest (Anthropic) id has about 50 characters.
     */
    public static String batchId(String lane, int partition, Provider provider, long openedAtMillis, long number) {
        CRC32 crc = new CRC32();
        crc.update(lane.getBytes(StandardCharsets.UTF_8));
        return String.format(Locale.ROOT, "b-%s-%08x-p%d-%s-%d", provider.id(), crc.getValue(), partition,
                Long.toString(openedAtMillis, 36), number);
    }
}
