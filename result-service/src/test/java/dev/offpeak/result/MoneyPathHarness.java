package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.emulator.ManualClock;
import dev.offpeak.emulator.ProviderEmulator;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.intake.EventIntake;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.result.poll.PollSettings;
import dev.offpeak.result.provider.BatchProviderClient;
import dev.offpeak.result.provider.ProviderClients;
import dev.offpeak.result.provider.ProviderEndpoint;
import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.store.IntakeStore;
import dev.offpeak.result.store.PriceStore;
import dev.offpeak.result.submit.SubmitSettings;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.testsupport.KafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * result-service's money path over a real broker, a real Postgres and the provider emulator, all
 * on one manual clock: tests publish what the batcher would, then step intake, submitter and
 * poller by hand.
 */
final class MoneyPathHarness implements AutoCloseable {
    static final String KEY = "sk-test-never-logged-0123456789";

    final ManualClock clock = ManualClock.startingAt2026();
    final ResultMetrics metrics = new ResultMetrics(new SimpleMeterRegistry());
    final ProviderEmulator emulator;
    final Db db;
    final ResultService.Parts parts;
    final KafkaCluster kafka;
    final String acceptedTopic;
    final String itemsTopic;
    final String jobsTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventIntake intake;
    private final ProviderClients clients;

    MoneyPathHarness(KafkaCluster kafka, DataSource dataSource, Path spool, Submitter.CrashPoint crashPoint) {
        this(kafka, dataSource, spool, crashPoint, new Retries(1, Duration.ZERO));
    }

    MoneyPathHarness(KafkaCluster kafka, DataSource dataSource, Path spool, Submitter.CrashPoint crashPoint,
            Retries retries) {
        this(kafka, dataSource, spool, crashPoint, retries, tenant -> true);
    }

    /** @param promptCaching the tenants whose lines may get prompt-cache hints */
    MoneyPathHarness(KafkaCluster kafka, DataSource dataSource, Path spool, Submitter.CrashPoint crashPoint,
            Retries retries, java.util.function.Predicate<String> promptCaching) {
        this(kafka, dataSource, spool, crashPoint, retries, promptCaching, config -> config);
    }

    /** @param emulatorConfig changes to the emulator's configuration (speed, choices) */
    MoneyPathHarness(KafkaCluster kafka, DataSource dataSource, Path spool, Submitter.CrashPoint crashPoint,
            Retries retries, java.util.function.Predicate<String> promptCaching,
            java.util.function.UnaryOperator<EmulatorConfig> emulatorConfig) {
        this.kafka = kafka;
        this.emulator = ProviderEmulator.start(emulatorConfig.apply(
                EmulatorConfig.defaults().withClock(clock).withDataDir(spool.resolve("emu"))));
        this.db = new Db(dataSource);
        ModelRegistry catalog = ModelRegistry.loadDefault();
        new PriceStore(db).load(catalog);
        Map<Provider, ProviderEndpoint> endpoints = new EnumMap<>(Provider.class);
        endpoints.put(Provider.OPENAI, endpoint(emulator.openAiBaseUrl()));
        endpoints.put(Provider.ANTHROPIC, endpoint(emulator.anthropicBaseUrl()));
        endpoints.put(Provider.GEMINI, endpoint(emulator.geminiBaseUrl()));
        this.clients = ProviderClients.of(endpoints, clock);
        Map<Provider, BatchProviderClient> byProvider = new EnumMap<>(Provider.class);
        for (Provider p : Provider.values()) {
            byProvider.put(p, clients.get(p));
        }
        this.parts = ResultService.Parts.build(db, catalog, byProvider, new ResultService.WorkSettings(
                submitSettings(), pollSettings(spool), retries, 65_536, promptCaching), clock, new Random(7),
                metrics, crashPoint);
        this.acceptedTopic = kafka.createUniqueTopic("accepted", 2);
        this.itemsTopic = kafka.createUniqueTopic("items", 2);
        this.jobsTopic = kafka.createUniqueTopic("jobs", 1);
        this.consumer = new KafkaConsumer<>(kafka.consumerProperties(kafka.uniqueTopic("result-group")),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.intake = new EventIntake(consumer, db, new IntakeStore(), parts.completion(), clock,
                EventIntake.IntakeListener.NONE, new EventIntake.IntakeTopics(acceptedTopic, itemsTopic, jobsTopic));
        intake.subscribe();
    }

    static SubmitSettings submitSettings() {
        return new SubmitSettings("test-replica", Duration.ofMinutes(5), 20, Duration.ofSeconds(30),
                Duration.ofMinutes(10), Duration.ofMinutes(5),
                new RetryPolicy(8, Duration.ofSeconds(10), 2.0, 0.0, Duration.ofMinutes(5)), Map.of());
    }

    static PollSettings pollSettings(Path spool) {
        return new PollSettings("test-replica", Duration.ofMinutes(5), 20,
                new RetryPolicy(Integer.MAX_VALUE, Duration.ofSeconds(30), 1.5, 0.0, Duration.ofMinutes(5)),
                new RetryPolicy(8, Duration.ofSeconds(10), 2.0, 0.0, Duration.ofMinutes(5)),
                Duration.ofMinutes(10), spool);
    }

    private static ProviderEndpoint endpoint(String baseUrl) {
        return new ProviderEndpoint(URI.create(baseUrl), KEY, ProviderEndpoint.Timeouts.defaults());
    }

    /** The unsent events as the relay would publish them. */
    java.util.List<String> pendingEvents() {
        return dev.offpeak.result.completion.OutboxRelay.peek(db, 65_536, 1000);
    }

    /** The synchronous clients (flex and list-price calls) over the emulator. */
    Map<Provider, dev.offpeak.result.provider.SyncClient> syncClients() {
        return clients.syncClients();
    }

    BatchProviderClient client(Provider provider) {
        return clients.get(provider);
    }

    void publish(PipelineFixture.Batch batch) {
        PipelineFixture.publish(kafka, acceptedTopic, itemsTopic, batch);
    }

    /** Polls the intake until {@code tasks} tasks and {@code batchesReady} ready-or-later batches are stored. */
    void intakeUntil(int tasks, int batches) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count("SELECT count(*) FROM tasks") < tasks
                || count("SELECT count(*) FROM batches WHERE state <> 'collecting'") < batches) {
            assertThat(System.nanoTime()).as("intake did not store the published events in time").isLessThan(deadline);
            intake.pollOnce(Duration.ofMillis(200));
        }
    }

    /** Polls the intake until the consumer group has consumed {@code records} records in all. */
    void intakeUntilOffsetsReach(long records) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long consumed = 0;
        while (consumed < records) {
            assertThat(System.nanoTime()).as("intake consumed only " + consumed + " of " + records).isLessThan(deadline);
            consumed += intake.pollOnce(Duration.ofMillis(200));
        }
    }

    /** Steps submitter, synchronous runner and poller, a minute of manual time per round, until no batch is in flight. */
    int runUntilQuiet(int maxRounds) {
        for (int round = 1; round <= maxRounds; round++) {
            parts.submitter().submitOnce();
            parts.submitter().runSynchronousOnce();
            parts.poller().pollOnce();
            if (count("SELECT count(*) FROM batches WHERE state IN ('ready', 'submitting', 'in_flight')") == 0) {
                return round;
            }
            clock.advance(Duration.ofMinutes(1));
        }
        throw new AssertionError("batches still open after " + maxRounds + " rounds: "
                + db.query("SELECT batch_id || ' ' || state || ' ' || coalesce(last_error, '') FROM batches",
                        rs -> rs.getString(1)));
    }

    long count(String sql, Object... params) {
        return db.queryOne(sql, rs -> rs.getLong(1), params).orElseThrow();
    }

    String text(String sql, Object... params) {
        return db.queryOne(sql, rs -> rs.getString(1), params).orElse(null);
    }

    @Override
    public void close() {
        consumer.close();
        clients.close();
        emulator.close();
    }
}
