package dev.offpeak.ingest;

import dev.offpeak.ingest.auth.Authenticator;
import dev.offpeak.config.ConfigException;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.ingest.http.HttpErrors;
import dev.offpeak.ingest.http.IngestApi;
import dev.offpeak.ingest.http.JobSeals;
import dev.offpeak.ingest.http.Routes;
import dev.offpeak.ingest.kafka.KafkaHealth;
import dev.offpeak.ingest.kafka.TaskPublisher;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.tenants.Tenants;
import dev.offpeak.schemas.tenants.TokenFileException;
import dev.offpeak.schemas.validation.TaskValidator;
import io.javalin.Javalin;
import java.net.URI;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running ingest service: HTTP server, Kafka producer and health probe. Start it in-process with
 * {@link #start(IngestConfig)} (port 0 picks a free port; {@link #port()} tells which), stop it
 * with {@link #close()}: the server stops taking requests first, then the producer flushes.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestService.class);

    private final Javalin server;
    private final TaskPublisher publisher;
    private final KafkaHealth health;
    private final AtomicBoolean closed = new AtomicBoolean();

    private IngestService(Javalin server, TaskPublisher publisher, KafkaHealth health) {
        this.server = server;
        this.publisher = publisher;
        this.health = health;
    }

    /** Validates the config, loads the token file, connects the producer and starts serving. */
    public static IngestService start(IngestConfig config) {
        config.validate();
        Tenants tenants = loadTenants(config);
        ModelRegistry registry = ModelRegistry.loadConfigured(config.modelRegistryFile(), "ingest-service");
        TaskPublisher publisher = new TaskPublisher(config);
        KafkaHealth health = null;
        try {
            health = new KafkaHealth(config);
            IngestMetrics metrics = new IngestMetrics();
            InstantSource clock = InstantSource.system();
            HttpErrors errors = new HttpErrors(config.retryAfter());
            TaskIntake intake = new TaskIntake(new TaskValidator(registry), clock,
                    new TaskKeys(config::shardsFor));
            IngestApi api = new IngestApi(new IngestApi.Deps(config, intake, publisher, metrics, errors,
                    new JobSeals(clock)));
            Routes.Parts parts = new Routes.Parts(api, new Authenticator(tenants), health, metrics, errors);
            Javalin server = Javalin.create(javalin -> {
                javalin.startup.showJavalinBanner = false;
                javalin.startup.showOldJavalinVersionWarning = false;
                // Handlers block until Kafka acknowledges; virtual threads make that cheap.
                javalin.concurrency.useVirtualThreads = true;
                javalin.http.prefer405over404 = true;
                javalin.jetty.host = config.host();
                javalin.jetty.port = config.port();
                Routes.routing(javalin, parts);
            });
            server.start();
            IngestService service = new IngestService(server, publisher, health);
            log.info("ingest service listening on port {} for {} token(s); effective configuration:{}",
                    server.port(), tenants.tokenCount(), config.describe());
            return service;
        } catch (RuntimeException e) {
            publisher.close();
            if (health != null) {
                health.close();
            }
            throw e;
        }
    }

    /** The token file's problems are configuration problems: reported the same way, all at once. */
    private static Tenants loadTenants(IngestConfig config) {
        try {
            return Tenants.load(config.tokenFile(), IngestConfig.TOKEN_FILE);
        } catch (TokenFileException e) {
            throw new ConfigException("ingest-service", e.problems());
        }
    }

    /** The port actually bound (useful after starting on port 0). */
    public int port() {
        return server.port();
    }

    /** {@code http://localhost:<port>}. */
    public URI baseUri() {
        return URI.create("http://localhost:" + port());
    }

    public boolean isRunning() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop();
        } finally {
            try {
                publisher.close();
            } finally {
                health.close();
                log.info("ingest service stopped");
            }
        }
    }
}
