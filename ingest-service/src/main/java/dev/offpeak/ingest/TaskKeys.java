package dev.offpeak.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.DedupScope;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.packing.CacheablePrefix;
import dev.offpeak.schemas.packing.PackingKey;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * The record key of a task on {@code offpeak.tasks}: its {@link PackingKey} ({@code
 * provider|endpoint|model|<prefix fingerprint>|<shard>}), so the producer's default partitioner puts the
 * task on the partition the batcher packs it in and the batcher skips a repartition. The key is an
 * optimisation only: the batcher recomputes it from the value, so a wrong shard count costs one
 * repartition, never a missed dedup.
 *
 * <p>Works on the checked tree (after {@link TaskIntake} filled and validated it), so nothing is
 * parsed or serialized again. With one shard (the default) the shard is 0 whatever the request
 * identity, so the identity (a canonical form and a SHA-256 of the whole request) is only computed for
 * a model configured with more.
 */
public final class TaskKeys {
    private final ToIntFunction<String> shardsPerModel;

    /** @param shardsPerModel the shards of a model's lanes (1 = no sharding), e.g. {@code config::shardsFor} */
    public TaskKeys(ToIntFunction<String> shardsPerModel) {
        this.shardsPerModel = shardsPerModel;
    }

    /** Every model with one shard. */
    public static TaskKeys unsharded() {
        return new TaskKeys(model -> 1);
    }

    /** The key of a valid, filled-in task.submitted tree (provider, endpoint, model, request, tenant, dedup_scope present). */
    public String of(ObjectNode task) {
        Provider provider = Provider.of(task.get("provider").asText());
        String endpoint = task.get("endpoint").asText();
        String model = task.get("model").asText();
        ObjectNode request = (ObjectNode) task.get("request");
        int shards = shardsPerModel.applyAsInt(model);
        if (shards > 1) {
            return PackingKey.of(identityOf(task, provider, endpoint, model, request), shards).key();
        }
        String fingerprint = CacheablePrefix.of(provider, endpoint, request).fingerprint();
        // One shard: PackingKey.shard is 0 without reading the request id, so none is computed.
        return PackingKey.of(provider, endpoint, model, fingerprint, null, 1).key();
    }

    /** The fields of the task that its request identity (and its packing key) depend on. */
    private static TaskSubmitted identityOf(ObjectNode task, Provider provider, String endpoint, String model,
                                            ObjectNode request) {
        JsonNode dedup = task.get("dedup");
        JsonNode scope = task.get("dedup_scope");
        return new TaskSubmitted(task.get("task_id").asText(), task.get("tenant").asText(), null, provider, model,
                endpoint, request, null, dedup == null ? null : dedup.asBoolean(),
                scope == null ? null : DedupScope.valueOf(scope.asText().toUpperCase(Locale.ROOT)), null, null, null);
    }
}
