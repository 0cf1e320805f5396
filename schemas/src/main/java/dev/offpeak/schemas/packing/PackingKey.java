package dev.offpeak.schemas.packing;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.identity.RequestIdentity;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Where a task is packed: its lane ({@code provider|endpoint|model}), the fingerprint of its
 * cacheable prefix, and a shard taken from its request identity. Identical requests have the same
 * key (so dedup meets them in one store), and requests that share a prefix meet in the same
 * partition, hence the same open batch. A hot prefix is spread over {@code shards} keys.
 *
 * <p>The key is also the Kafka record key producers should give a task on {@code offpeak.tasks}:
 * the batcher then finds the task already on the partition it packs it in and skips a repartition.
 * A producer that guesses the shard count wrong (or keys by task id) costs one repartition, never a
 * missed dedup: the batcher always recomputes the key itself.
 *
 * @param requestId the task's request identity ({@link RequestIdentity})
 */
public record PackingKey(String lane, String prefixFingerprint, int shard, String requestId) {

    /** The key of {@code task} with {@code shards} shards for its model (1 = no sharding). */
    public static PackingKey of(TaskSubmitted task, int shards) {
        String requestId = RequestIdentity.requestId(task);
        CacheablePrefix prefix = CacheablePrefix.of(task.provider(), task.endpoint(), task.request());
        return of(task.provider(), task.endpoint(), task.model(), prefix.fingerprint(), requestId, shards);
    }

    public static PackingKey of(Provider provider, String endpoint, String model, String prefixFingerprint,
                                String requestId, int shards) {
        return new PackingKey(lane(provider, endpoint, model), prefixFingerprint, shard(requestId, shards), requestId);
    }

    /** {@code provider|endpoint|model}: the requests that may share one provider batch. */
    public static String lane(Provider provider, String endpoint, String model) {
        return provider.id() + "|" + endpoint + "|" + model;
    }

    /** {@code hash(request_id) mod shards}: the first 60 bits of the hex id, which is already uniform. */
    public static int shard(String requestId, int shards) {
        if (shards <= 1) {
            return 0;
        }
        return (int) (Long.parseLong(requestId.substring(0, 15), 16) % shards);
    }

    /** {@code lane|fingerprint|shard}, the record key. */
    public String key() {
        return lane + "|" + prefixFingerprint + "|" + shard;
    }

    /**
     * The partition of {@code key} among {@code partitions}: what Kafka's default partitioner picks for
     * the key's UTF-8 bytes (murmur2, positive, modulo), so a producer keying by {@link #key()} with the
     * default partitioner lands where the batcher packs.
     */
    public static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
