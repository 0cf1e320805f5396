package dev.offpeak.result;

import com.zaxxer.hikari.HikariDataSource;
import dev.offpeak.config.ConfigException;
import dev.offpeak.config.EnvReader;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.result.db.Database;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.budget.BudgetGate;
import dev.offpeak.result.caching.PromptCaching;
import dev.offpeak.result.budget.BudgetStore;
import dev.offpeak.result.completion.JobCompleter;
import dev.offpeak.result.http.ReadApi;
import dev.offpeak.schemas.tenants.Tenants;
import dev.offpeak.schemas.tenants.TokenFileException;
import dev.offpeak.result.completion.OutboxRelay;
import dev.offpeak.result.intake.EventIntake;
import dev.offpeak.result.metrics.BatchGauges;
import dev.offpeak.result.metrics.BudgetGauges;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.result.metrics.TaskCostProducer;
import dev.offpeak.result.poll.PollSettings;
import dev.offpeak.result.poll.Poller;
import dev.offpeak.result.provider.BatchProviderClient;
import dev.offpeak.result.provider.ProviderClients;
import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.result.poll.Rescue;
import dev.offpeak.result.submit.ModeChooser;
import dev.offpeak.result.submit.SyncRunner;
import dev.offpeak.result.submit.SyncThrottle;
import dev.offpeak.result.settle.Pricing;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.settle.Settlement;
import dev.offpeak.result.completion.TaskCompletion;
import dev.offpeak.result.store.BatchStore;
import dev.offpeak.result.store.InstanceIdentity;
import dev.offpeak.result.store.IntakeStore;
import dev.offpeak.result.store.PriceStore;
import dev.offpeak.result.submit.SubmitSettings;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.ModelRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.BindException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.Properties;
import java.util.function.IntSupplier;
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
 * result-service, wired: the token file, the pool and migrations, the price catalog loaded as rows,
 * the read API, then one loop per piece of work: intake (Kafka → Postgres), submit, poll (and
 * settle), the settled-batch sweep, job completion, the outbox relay and the gauges. Everything
 * that can be wrong with the configuration (the token file, a taken port) fails {@link #start}
 * before any loop runs. Every piece takes its clock and settings from here, so tests build the
 * same pieces with a manual clock.
 */
public final class ResultService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultService.class);

    private final HikariDataSource pool;
    private final InstanceIdentity identity;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final ProviderClients clients;
    private final ReadApi api;
    private final List<Loop> loops;

    private ResultService(HikariDataSource pool, InstanceIdentity identity, KafkaConsumer<byte[], byte[]> consumer,
            KafkaProducer<String, byte[]> producer, ProviderClients clients, ReadApi api, List<Loop> loops) {
        this.api = api;
        this.pool = pool;
        this.identity = identity;
        this.consumer = consumer;
        this.producer = producer;
        this.clients = clients;
        this.loops = loops;
    }

    /** How the work loop behaves: submission, polling, retries, and event sizes. */
    /** @param promptCaching whether a tenant's lines may get prompt-cache hints ({@link PromptCaching}) */
    public record WorkSettings(SubmitSettings submit, PollSettings poll, Retries retries, int inlineResponseBytes,
                               java.util.function.Predicate<String> promptCaching) {
        /** Prompt-cache hints for every tenant. */
        public WorkSettings(SubmitSettings submit, PollSettings poll, Retries retries, int inlineResponseBytes) {
            this(submit, poll, retries, inlineResponseBytes, tenant -> true);
        }
    }

    /** The pieces of the money path over one database, for the service and for tests. */
    public record Parts(Db db, BatchStore batches, Settlement settlement, TaskCompletion completion,
            Submitter submitter, Poller poller) {

        public static Parts build(Db db, ModelRegistry catalog, Map<Provider, BatchProviderClient> clients,
                WorkSettings settings, InstantSource clock, RandomGenerator random, ResultMetrics metrics,
                Submitter.CrashPoint crashPoint) {
            return build(db, catalog, clients, settings, clock, random, metrics, crashPoint, Settlement.CrashPoint.NONE);
        }

        /** As above, with a point where a test stops settlement between its commit and the tasks' ending. */
        public static Parts build(Db db, ModelRegistry catalog, Map<Provider, BatchProviderClient> clients,
                WorkSettings settings, InstantSource clock, RandomGenerator random, ResultMetrics metrics,
                Submitter.CrashPoint crashPoint, Settlement.CrashPoint settlementCrash) {
            BatchStore batches = new BatchStore(db);
            TaskCompletion completion = new TaskCompletion();
            Settlement settlement = new Settlement(db, new Pricing(catalog), settings.retries(), settlementCrash);
            return new Parts(db, batches, settlement, completion,
                    new Submitter(batches, clients, settlement, new BudgetGate(catalog),
                            new PromptCaching(catalog, settings.promptCaching()), settings.submit(), clock,
                            random, metrics, crashPoint)
                            // tasks may ask for a mode even where no lane mode is configured
                            .withLaneModes(new ModeChooser(catalog, Map.of(), ResultConfig.DEFAULT_SYNC_CONCURRENCY)),
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
                new Retries(config.maxAttempts(), config.retryDelay()), config.inlineResponseBytes(),
                config::promptCachingFor);
    }

    public static SubmitSettings submitSettings(ResultConfig config) {
        return new SubmitSettings(config.owner(), config.lease(), Tuning.CLAIM_LIMIT, config.firstPoll(),
                config.quotaWait(), Tuning.CLOCK_SKEW, RetryPolicy.defaults(), config.quotas());
    }

    public static PollSettings pollSettings(ResultConfig config) {
        RetryPolicy schedule = new RetryPolicy(Integer.MAX_VALUE, config.firstPoll(), Tuning.POLL_BACKOFF,
                Tuning.POLL_JITTER, config.pollMax());
        return new PollSettings(config.owner(), config.lease(), Tuning.CLAIM_LIMIT, schedule, RetryPolicy.defaults(),
                config.quotaWait(), config.spoolDir());
    }

    /**
     * Validates what the configuration alone could not (the token file's content, the HTTP port),
     * binds the HTTP port (health answers from then on: not ready), waits for PostgreSQL (a replica
     * started during a database outage waits for it, up to {@link Tuning#DATABASE_PATIENCE}), migrates,
     * takes its instance name, builds every piece, then starts the loops. Throws
     * {@link ConfigException} when the token file or the port is bad; nothing keeps running after any
     * failure here.
     */
    public static ResultService start(ResultConfig config, PrometheusMeterRegistry registry) {
        log.info("starting result-service; effective configuration:{}", config.describe());
        Optional<Tenants> tenants = loadTenants(config);
        InstantSource clock = InstantSource.system();
        HikariDataSource pool = Database.pool(config.jdbcUrl(), config.dbUser(), config.dbPassword(), Tuning.POOL_SIZE,
                "offpeak-result");
        ProviderClients providerClients = ProviderClients.of(config.providers(), clock);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(config), new StringSerializer(),
                new ByteArraySerializer());
        InstanceIdentity identity = null;
        ReadApi api = null;
        try {
            Db db = new Db(pool);
            // health answers from the start: not ready until the database answers and the name is held
            AtomicReference<InstanceIdentity> held = new AtomicReference<>();
            api = bind(config, db, tenants, registry, () -> held.get() != null && held.get().holds());
            Database.awaitReachable(config.jdbcUrl(), config.dbUser(), config.dbPassword(), Tuning.DATABASE_PATIENCE);
            Database.migrate(pool);
            identity = takeIdentity(config);
            held.set(identity);
            int back = new BatchStore(db).takeBack(config.owner());
            if (back > 0) {
                log.info("instance {}: took back {} batches leased by an earlier run of this instance", config.owner(),
                        back);
            }
            List<Loop> loops = loops(config, db, clock, providerClients, consumer, producer, identity,
                    new ResultMetrics(registry));
            loops.forEach(Loop::start);
            log.info("result-service {} listening on port {} (health, /metrics, read API)", config.owner(), api.port());
            return new ResultService(pool, identity, consumer, producer, providerClients, api, loops);
        } catch (RuntimeException e) {
            if (api != null) {
                api.close();
            }
            if (identity != null) {
                identity.close();
            }
            consumer.close();
            producer.close();
            providerClients.close();
            pool.close();
            throw e;
        }
    }

    /**
     * Takes this replica's instance name (an advisory lock held for the life of the process): a name
     * another live process holds is a configuration problem, reported as one.
     */
    private static InstanceIdentity takeIdentity(ResultConfig config) {
        try {
            return InstanceIdentity.take(config.jdbcUrl(), config.dbUser(), config.dbPassword(), config.owner());
        } catch (InstanceIdentity.Taken e) {
            throw new ConfigException(ResultConfig.COMPONENT, List.of(EnvReader.problemText(ResultConfig.INSTANCE,
                    config.owner(), e.getMessage())));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take the instance lock in PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** The token file's problems are configuration problems: reported the same way, all at once. */
    private static Optional<Tenants> loadTenants(ResultConfig config) {
        try {
            return Optional.ofNullable(config.tokenFile()).map(f -> Tenants.load(f, ResultConfig.TOKEN_FILE));
        } catch (TokenFileException e) {
            throw new ConfigException(ResultConfig.COMPONENT, e.problems());
        }
    }

    private static ReadApi bind(ResultConfig config, Db db, Optional<Tenants> tenants, PrometheusMeterRegistry registry,
            BooleanSupplier holdsIdentity) {
        try {
            return ReadApi.start(config.httpHost(), config.httpPort(), db, tenants,
                    Optional.ofNullable(config.adminToken()), registry, holdsIdentity);
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof BindException) {
                    throw new ConfigException(ResultConfig.COMPONENT, List.of(EnvReader.problemText(ResultConfig.HTTP_PORT,
                            config.httpPort(), "cannot listen on " + config.httpHost() + ":" + config.httpPort()
                                    + " (" + cause.getMessage() + ")")));
                }
            }
            throw e;
        }
    }

    /**
     * One loop per piece of work (built, not started), so a failing piece never holds up the others. Intake wakes the
     * submitter and job completion; a poll round (which settles) and a completed job wake the relay.
     */
    private static List<Loop> loops(ResultConfig config, Db db, InstantSource clock, ProviderClients providerClients,
            KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<String, byte[]> producer, InstanceIdentity identity,
            ResultMetrics metrics) {
        ModelRegistry catalog = ModelRegistry.loadConfigured(config.modelRegistryFile(), "result-service");
        new PriceStore(db).load(catalog);
        Map<Provider, BatchProviderClient> clients = new java.util.EnumMap<>(Provider.class);
        for (Provider p : Provider.values()) {
            providerClients.find(p).ifPresent(c -> clients.put(p, c));
        }
        WorkSettings settings = workSettings(config);
        Parts parts = Parts.build(db, catalog, clients, settings, clock, RandomGenerator.getDefault(), metrics,
                Submitter.CrashPoint.NONE);
        parts.submitter().withSyncRunner(new SyncRunner(parts.batches(), providerClients.syncClients(),
                parts.settlement(), RetryPolicy.defaults(), config.syncConcurrency(), clock, RandomGenerator.getDefault(),
                metrics).withThrottle(new SyncThrottle(config.syncRateLimits(), InstantSource.system())));
        parts.submitter().withLaneModes(new ModeChooser(catalog, config.laneModes(), config.syncConcurrency())
                .withSyncRateLimits(config.syncRateLimits()));
        parts.poller().withRescue(new Rescue(config.rescueBuffer(), config.rescueProviders(),
                (provider, model) -> catalog.find(provider, model).map(m -> m.offersFlex()).orElse(false)));
        EventIntake intake = new EventIntake(consumer, db, new IntakeStore(), parts.completion(), clock,
                EventIntake.IntakeListener.NONE, EventIntake.IntakeTopics.PRODUCTION);
        // the relay's producer records each published task.completed in the per-task cost distribution
        OutboxRelay relay = new OutboxRelay(db, new TaskCostProducer(producer, metrics), clock, Tuning.RELAY_BATCH,
                config.inlineResponseBytes(), OutboxRelay.CrashPoint.NONE);
        JobCompleter jobs = new JobCompleter(db, clock);
        BatchGauges gauges = new BatchGauges(parts.batches(), settings.submit(), metrics);
        BudgetGauges budgetGauges = new BudgetGauges(new BudgetStore(db), clock, metrics);

        Loop relayLoop = loop("outbox", Tuning.RELAY_IDLE, relay::relayOnce, metrics);
        Loop jobsLoop = loop("jobs", config.tick(), wakes(jobs::completeOnce, relayLoop), metrics);
        // a replica that lost its instance name to another process claims nothing
        Loop syncLoop = loop("sync", config.tick(), holding(identity, parts.submitter()::runSynchronousOnce), metrics);
        Loop submitLoop = loop("submit", config.tick(), holding(identity, wakes(parts.submitter()::submitOnce, syncLoop)),
                metrics);
        Loop pollLoop = loop("poll", config.tick(),
                holding(identity, wakes(parts.poller()::pollOnce, relayLoop, jobsLoop)), metrics);
        Loop leaseLoop = loop("leases", config.lease().dividedBy(3), () -> {
            if (identity.held()) {
                parts.batches().renewLeases(config.owner(), clock.instant().plus(config.lease()));
            }
            return 0; // a heartbeat: never "found work", so it keeps its period
        }, metrics);
        Loop sweepLoop = loop("sweep", config.tick(), () -> parts.sweep(clock), metrics);
        Loop intakeLoop = loop("intake", Tuning.INTAKE_IDLE,
                wakes(() -> intake.pollOnce(Tuning.INTAKE_POLL), submitLoop, jobsLoop, relayLoop), metrics);
        Loop gaugeLoop = loop("gauges", Tuning.GAUGE_PERIOD, () -> gauges.refreshOnce() + budgetGauges.refreshOnce(),
                metrics);
        intake.subscribe();
        return List.of(intakeLoop, submitLoop, syncLoop, pollLoop, sweepLoop, jobsLoop, relayLoop, gaugeLoop, leaseLoop);
    }

    private static Loop loop(String name, Duration idle, IntSupplier work, ResultMetrics metrics) {
        return new Loop("result-" + name, idle, work, metrics.loopFailures(name));
    }

    /** {@code work} while this process holds its instance name, else nothing. */
    static IntSupplier holding(InstanceIdentity identity, IntSupplier work) {
        return () -> identity.holds() ? work.getAsInt() : 0;
    }

    /** {@code work}, waking {@code next} after every round that found something. */
    static IntSupplier wakes(IntSupplier work, Loop... next) {
        return () -> {
            int found = work.getAsInt();
            if (found > 0) {
                for (Loop loop : next) {
                    loop.wake();
                }
            }
            return found;
        };
    }

    static Properties producerProperties(ResultConfig config) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // last: what the service relies on is refused by ResultConfig, so only tuning gives way to the operator
        config.kafkaSettings().applyTo(p);
        return p;
    }

    static Properties consumerProperties(ResultConfig config) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        // static membership: a replica that restarts under its name gets its partitions back without a
        // rebalance, and one that dies frees them after the session timeout (not the 45 s default)
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.owner());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(Tuning.CONSUMER_SESSION_TIMEOUT.toMillis()));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        // last: what the service relies on is refused by ResultConfig, so only tuning gives way to the operator
        config.kafkaSettings().applyTo(p);
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
            long deadline = System.nanoTime() + Tuning.SHUTDOWN_GRACE.toNanos();
            loops.forEach(loop -> loop.awaitStop(deadline));
        } finally {
            consumer.close();
            producer.close();
            clients.close();
            identity.close();
            pool.close();
        }
    }
}
