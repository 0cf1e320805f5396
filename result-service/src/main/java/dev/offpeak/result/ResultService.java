package dev.offpeak.result;

import com.zaxxer.hikari.HikariDataSource;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.result.db.Database;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.completion.JobCompleter;
import dev.offpeak.result.http.ReadApi;
import dev.offpeak.schemas.tenants.Tenants;
import dev.offpeak.result.completion.OutboxRelay;
import dev.offpeak.result.intake.EventIntake;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.result.poll.PollSettings;
import dev.offpeak.result.poll.Poller;
import dev.offpeak.result.provider.BatchProviderClient;
import dev.offpeak.result.provider.ProviderClients;
import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.result.settle.Pricing;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.settle.Settlement;
import dev.offpeak.result.completion.TaskCompletion;
import dev.offpeak.result.store.BatchStore;
import dev.offpeak.result.store.IntakeStore;
import dev.offpeak.result.store.PriceStore;
import dev.offpeak.result.submit.SubmitSettings;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.PriceCatalog;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.random.RandomGenerator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * result-service, wired: the pool and migrations, the price catalog loaded as rows, the intake
 * loop (Kafka → Postgres) and the work loop (submit, then poll and settle). Every piece takes its
 * clock and settings from here, so tests build the same pieces with a manual clock.
 */
public final class ResultService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultService.class);

    private final HikariDataSource pool;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final ProviderClients clients;
    private final ReadApi api;
    private final List<Loop> loops;

    private ResultService(HikariDataSource pool, KafkaConsumer<byte[], byte[]> consumer,
            KafkaProducer<String, byte[]> producer, ProviderClients clients, ReadApi api, List<Loop> loops) {
        this.api = api;
        this.pool = pool;
        this.consumer = consumer;
        this.producer = producer;
        this.clients = clients;
        this.loops = loops;
    }

    /** How the work loop behaves: submission, polling, retries, and event sizes. */
    public record WorkSettings(SubmitSettings submit, PollSettings poll, Retries retries, int inlineResponseBytes) {}

    /** The pieces of the money path over one database, for the service and for tests. */
    public record Parts(Db db, BatchStore batches, Settlement settlement, TaskCompletion completion,
            Submitter submitter, Poller poller) {

        public static Parts build(Db db, PriceCatalog catalog, Map<Provider, BatchProviderClient> clients,
                WorkSettings settings, InstantSource clock, RandomGenerator random, ResultMetrics metrics,
                Submitter.CrashPoint crashPoint) {
            return build(db, catalog, clients, settings, clock, random, metrics, crashPoint, Settlement.CrashPoint.NONE);
        }

        /** As above, with a point where a test stops settlement between its commit and the tasks' ending. */
        public static Parts build(Db db, PriceCatalog catalog, Map<Provider, BatchProviderClient> clients,
                WorkSettings settings, InstantSource clock, RandomGenerator random, ResultMetrics metrics,
                Submitter.CrashPoint crashPoint, Settlement.CrashPoint settlementCrash) {
            BatchStore batches = new BatchStore(db);
            TaskCompletion completion = new TaskCompletion();
            Settlement settlement = new Settlement(db, new Pricing(catalog), settings.retries(), settlementCrash);
            return new Parts(db, batches, settlement, completion,
                    new Submitter(batches, clients, settlement, settings.submit(), clock, random, metrics, crashPoint),
                    new Poller(batches, clients, settlement, settings.poll(), clock, random, metrics));
        }

        /**
         * Checks the tasks of batches settled at least {@link TaskCompletion#CHECK_DELAY} ago: ends the
         * tasks of an ending lost in a crash between the settlement's commit and its own.
         */
        public int sweep(InstantSource clock) {
            db.inTransaction(c -> completion.checkSettled(c, clock.instant()));
            return 0;
        }
    }

    public static WorkSettings workSettings(ResultConfig config) {
        return new WorkSettings(submitSettings(config), pollSettings(config),
                new Retries(config.maxAttempts(), config.retryDelay()), config.inlineResponseBytes());
    }

    public static SubmitSettings submitSettings(ResultConfig config) {
        return new SubmitSettings(config.owner(), config.lease(), 20, config.firstPoll(), config.quotaWait(),
                Duration.ofMinutes(5), RetryPolicy.defaults(), config.quotas());
    }

    public static PollSettings pollSettings(ResultConfig config) {
        RetryPolicy schedule = new RetryPolicy(Integer.MAX_VALUE, config.firstPoll(), 1.5, 0.1, config.pollMax());
        return new PollSettings(config.owner(), config.lease(), 20, schedule, RetryPolicy.defaults(),
                config.quotaWait(), config.spoolDir());
    }

    public static ResultService start(ResultConfig config, PrometheusMeterRegistry registry) {
        log.info("starting result-service with {}", config);
        HikariDataSource pool = Database.pool(config.jdbcUrl(), config.dbUser(), config.dbPassword(), 8, "offpeak-result");
        Database.migrate(pool);
        PriceCatalog catalog = PriceCatalog.loadDefault();
        Db db = new Db(pool);
        new PriceStore(db).load(catalog);
        InstantSource clock = InstantSource.system();
        ResultMetrics metrics = new ResultMetrics(registry);
        ProviderClients providerClients = ProviderClients.of(config.providers(), clock);
        Map<Provider, BatchProviderClient> clients = new java.util.EnumMap<>(Provider.class);
        for (Provider p : Provider.values()) {
            providerClients.find(p).ifPresent(c -> clients.put(p, c));
        }
        Parts parts = Parts.build(db, catalog, clients, workSettings(config), clock, RandomGenerator.getDefault(),
                metrics, Submitter.CrashPoint.NONE);

        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        EventIntake intake = new EventIntake(consumer, db, new IntakeStore(), parts.completion(), clock,
                EventIntake.IntakeListener.NONE, EventIntake.IntakeTopics.PRODUCTION);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(config), new StringSerializer(),
                new ByteArraySerializer());
        OutboxRelay relay = new OutboxRelay(db, producer, clock, 500, config.inlineResponseBytes(),
                OutboxRelay.CrashPoint.NONE);
        JobCompleter jobs = new JobCompleter(db, clock);
        intake.subscribe();
        Loop intakeLoop = new Loop("result-intake", Duration.ofMillis(10), () -> intake.pollOnce(Duration.ofMillis(500)));
        SubmitSettings submit = submitSettings(config);
        Loop workLoop = new Loop("result-work", config.tick(),
                () -> parts.submitter().submitOnce() + parts.poller().pollOnce() + parts.sweep(clock) + jobs.completeOnce());
        Loop relayLoop = new Loop("result-outbox", Duration.ofMillis(200), relay::relayOnce);
        Loop gaugeLoop = new Loop("result-gauges", Duration.ofSeconds(10), () -> {
            metrics.batchStates(parts.batches().countByState());
            for (var reserved : parts.batches().reservedByModel()) {
                String[] pm = reserved.getKey().split("/", 2);
                metrics.reservedTokens(pm[0], pm[1], reserved.getValue(),
                        submit.quotaTokens(Provider.of(pm[0]), pm[1]));
            }
            return 0;
        });
        intakeLoop.start();
        workLoop.start();
        gaugeLoop.start();
        relayLoop.start();
        Optional<Tenants> tenants = Optional.ofNullable(config.tokenFile())
                .map(f -> Tenants.load(f, "OFFPEAK_RESULT_TOKEN_FILE"));
        ReadApi api = ReadApi.start(config.httpHost(), config.httpPort(), db, tenants, registry);
        log.info("result-service listening on port {} (health, /metrics, read API)", api.port());
        return new ResultService(pool, consumer, producer, providerClients, api,
                List.of(gaugeLoop, workLoop, intakeLoop, relayLoop));
    }

    static Properties producerProperties(ResultConfig config) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    static Properties consumerProperties(ResultConfig config) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return p;
    }

    /** The HTTP port actually bound (health, /metrics, read API). */
    public int httpPort() {
        return api.port();
    }

    @Override
    public void close() {
        try {
            api.close();
            // every loop is told at once, then all get one shared deadline to finish their round
            loops.forEach(Loop::signal);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            loops.forEach(loop -> loop.awaitStop(deadline));
        } finally {
            consumer.close();
            producer.close();
            clients.close();
            pool.close();
        }
    }
}
