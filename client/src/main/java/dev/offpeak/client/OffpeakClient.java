package dev.offpeak.client;

import dev.offpeak.config.EnvReader;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.TaskValidator;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes Offpeak tasks straight to Kafka, for services that do not want to go through HTTP.
 * Every task is validated locally with the same validator and model registry the pipeline uses, so
 * a bad task fails here, at the caller, instead of landing in the DLQ. Where the pipeline runs with
 * an operator's override file ({@code OFFPEAK_MODEL_REGISTRY_FILE}), give the client the same
 * registry with {@link Builder#modelRegistry}. Records are sent with acks=all and idempotence: a
 * completed future means the task is durable. A task's record key is its {@link PackingKey}
 * ({@code provider|endpoint|model|<prefix fingerprint>|<shard>}), so Kafka's default partitioner puts it
 * on the partition the batcher packs it in and the batcher skips a repartition; give the client the
 * batcher's shards per model with {@link Builder#laneShards}. The key is an optimisation only: the
 * batcher recomputes it, so a wrong shard count costs one repartition, never a missed dedup.
 * Thread-safe; create one per application and close it on shutdown.
 *
 * <pre>{@code
 * try (OffpeakClient offpeak = OffpeakClient.builder().bootstrapServers("localhost:9092").tenant("acme").build()) {
 *     offpeak.task("review-42").openai("gpt-4o-mini", "/v1/chat/completions")
 *             .request("{\"messages\": [{\"role\": \"user\", \"content\": \"Classify: great\"}]}")
 *             .submit().join();
 * }
 * }</pre>
 */
public final class OffpeakClient implements AutoCloseable {
    /** The guarantees this client exists for; callers may not weaken them. */
    private static final Set<String> OWNED = Set.of(ProducerConfig.ACKS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.PARTITIONER_CLASS_CONFIG, ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG);
    /** The range the batcher's {@code OFFPEAK_BATCHER_LANE_SHARDS} allows. */
    private static final int MAX_SHARDS = 1024;

    private final String tenant;
    private final String tasksTopic;
    private final String jobsTopic;
    private final InstantSource clock;
    private final TaskValidator validator;
    private final Map<String, Integer> laneShards;
    private final KafkaProducer<String, byte[]> producer;

    private OffpeakClient(Builder b) {
        this.tenant = Objects.requireNonNull(b.tenant, "tenant");
        this.tasksTopic = b.tasksTopic;
        this.jobsTopic = b.jobsTopic;
        this.clock = b.clock;
        this.validator = new TaskValidator(b.registry != null ? b.registry : ModelRegistry.loadDefault());
        this.laneShards = Map.copyOf(b.laneShards);
        Map<String, Object> props = new HashMap<>(b.properties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(b.bootstrapServers, "bootstrapServers"));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "offpeak-client-" + tenant);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a task of this client's tenant. */
    public TaskBuilder task(String taskId) {
        return new TaskBuilder(this, taskId);
    }

    /**
     * Validates and sends a task (its tenant must be this client's), keyed by {@link #keyOf its packing
     * key}. Throws {@link InvalidTaskException} before sending if anything is wrong; the future
     * completes when the broker acknowledged, or fails with the producer's exception.
     */
    public CompletableFuture<Sent> submit(TaskSubmitted task) {
        check(task);
        return send(tasksTopic, keyOf(task), Json.writeBytes(task));
    }

    /**
     * The record key this client gives {@code task}: {@code PackingKey.of(task, shards).key()}, with the
     * shards {@link Builder#laneShards} gives its model (1 for a model not named).
     */
    public String keyOf(TaskSubmitted task) {
        return PackingKey.of(task, shardsFor(task.model())).key();
    }

    /** The shards of the lanes of {@code model} in the record key (1 unless {@link Builder#laneShards} names it). */
    public int shardsFor(String model) {
        return laneShards.getOrDefault(model, 1);
    }

    /** Says "no more tasks for this job", so the batcher closes the job's open batches at once. */
    public CompletableFuture<Sent> sealJob(String jobId, Long taskCount) {
        return send(jobsTopic, jobId, Json.writeBytes(new JobSealed(jobId, tenant, taskCount, clock.instant())));
    }

    void check(TaskSubmitted task) {
        List<Problem> problems = new ArrayList<>(validator.validate(Json.tree(task)));
        if (!tenant.equals(task.tenant())) {
            problems.add(new Problem("tenant", "this client publishes for tenant " + tenant + ", not " + task.tenant()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidTaskException(task.taskId(), problems);
        }
    }

    private CompletableFuture<Sent> send(String topic, String key, byte[] value) {
        CompletableFuture<Sent> sent = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                if (error == null) {
                    sent.complete(new Sent(key, topic, metadata.partition(), metadata.offset()));
                } else {
                    sent.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }

    String tenant() {
        return tenant;
    }

    Instant now() {
        return clock.instant();
    }

    /** Waits for outstanding sends, then releases the producer. */
    @Override
    public void close() {
        producer.close();
    }

    public static final class Builder {
        private String bootstrapServers;
        private String tenant;
        private String tasksTopic = Topics.TASKS.name();
        private String jobsTopic = Topics.JOBS.name();
        private InstantSource clock = InstantSource.system();
        private ModelRegistry registry;
        private final Map<String, Integer> laneShards = new HashMap<>();
        private final Map<String, Object> properties = new HashMap<>();

        private Builder() {}

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder tenant(String newTenant) {
            this.tenant = newTenant;
            return this;
        }

        /** Topic names other than the defaults (offpeak.tasks, offpeak.jobs), e.g. in tests. */
        public Builder topics(String tasks, String jobs) {
            this.tasksTopic = tasks;
            this.jobsTopic = jobs;
            return this;
        }

        /** The registry to validate with, e.g. {@code ModelRegistry.load(Optional.of(overrideFile))}; default: the shipped one. */
        public Builder modelRegistry(ModelRegistry newRegistry) {
            this.registry = Objects.requireNonNull(newRegistry, "registry");
            return this;
        }

        public Builder clock(InstantSource newClock) {
            this.clock = newClock;
            return this;
        }

        /**
         * Shards per model for the record key, as a map: set it to the batcher's
         * {@code OFFPEAK_BATCHER_LANE_SHARDS}; a model not named has 1. Each count must be within [1, 1024].
         * A different value than the batcher's only costs a repartition there, never a missed dedup.
         */
        public Builder laneShards(Map<String, Integer> shardsPerModel) {
            shardsPerModel.forEach((model, shards) -> {
                if (model == null || model.isBlank() || shards == null || shards < 1 || shards > MAX_SHARDS) {
                    String entry = model + "=" + shards;
                    throw new IllegalArgumentException(EnvReader.problemText("laneShards", entry, "entry '" + entry
                            + "' must be name=number with a number between 1 and " + MAX_SHARDS));
                }
            });
            laneShards.putAll(shardsPerModel);
            return this;
        }

        /**
         * Shards per model in the grammar of the batcher's {@code OFFPEAK_BATCHER_LANE_SHARDS}:
         * {@code model=shards,...} (e.g. {@code "gpt-4o-mini=8,claude-haiku-4-5=4"}), so the same value can
         * be handed to both; blank means none. A bad entry throws {@link IllegalArgumentException} naming it.
         */
        public Builder laneShards(String spec) {
            EnvReader reader = new EnvReader(spec == null ? Map.of() : Map.of("laneShards", spec));
            Map<String, Long> read = reader.longMap("laneShards", 1, MAX_SHARDS);
            if (!reader.problems().isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", reader.problems()));
            }
            read.forEach((model, shards) -> laneShards.put(model, shards.intValue()));
            return this;
        }

        /** Any other producer property (security, client.id, compression...); not acks or idempotence. */
        public Builder property(String key, Object value) {
            if (OWNED.contains(key)) {
                throw new IllegalArgumentException(key + " is fixed by OffpeakClient (acks=all, idempotence on,"
                        + " the default partitioner on the packing key); it cannot be overridden");
            }
            properties.put(key, value);
            return this;
        }

        public OffpeakClient build() {
            return new OffpeakClient(this);
        }
    }
}
