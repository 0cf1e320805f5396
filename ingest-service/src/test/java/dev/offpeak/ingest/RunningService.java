package dev.offpeak.ingest;

import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.testsupport.KafkaCluster;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** An in-process ingest service on a free port, publishing to the test's own topics. */
public record RunningService(IngestService service, Http http, String tasksTopic, String jobsTopic)
        implements AutoCloseable {

    /** Partitions of the tasks topic: more than one, so a test sees which partition a key picks. */
    public static final int TASK_PARTITIONS = 3;

    public static RunningService start(KafkaCluster kafka, Path tempDir) {
        String tasks = kafka.createUniqueTopic("tasks", TASK_PARTITIONS);
        String jobs = kafka.createUniqueTopic("jobs", 1);
        IngestConfig config = IngestConfig.defaults().withPort(0).withTokenFile(TestTenants.write(tempDir))
                .withKafka(kafka.bootstrapServers(), tasks, jobs);
        IngestService service = IngestService.start(config);
        return new RunningService(service, new Http(service.baseUri()), tasks, jobs);
    }

    /** The same, configured as IngestMain is: from the environment, here {@code env} plus port, token file and topics. */
    public static RunningService startFromEnv(KafkaCluster kafka, Path tempDir, Map<String, String> env) {
        String tasks = kafka.createUniqueTopic("tasks", TASK_PARTITIONS);
        String jobs = kafka.createUniqueTopic("jobs", 1);
        Map<String, String> all = new HashMap<>(env);
        all.put(IngestConfig.PORT, "0");
        all.put(IngestConfig.TOKEN_FILE, TestTenants.write(tempDir).toString());
        all.put(IngestConfig.BOOTSTRAP, kafka.bootstrapServers());
        all.put(IngestConfig.TASKS_TOPIC, tasks);
        all.put(IngestConfig.JOBS_TOPIC, jobs);
        IngestService service = IngestService.start(IngestConfig.fromEnv(all));
        return new RunningService(service, new Http(service.baseUri()), tasks, jobs);
    }

    @Override
    public void close() {
        service.close();
    }
}
