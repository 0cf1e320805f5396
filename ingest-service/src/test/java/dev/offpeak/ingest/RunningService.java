package dev.offpeak.ingest;

import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.testsupport.KafkaCluster;
import java.nio.file.Path;

/** An in-process ingest service on a free port, publishing to the test's own topics. */
public record RunningService(IngestService service, Http http, String tasksTopic, String jobsTopic)
        implements AutoCloseable {

    public static RunningService start(KafkaCluster kafka, Path tempDir) {
        String tasks = kafka.createUniqueTopic("tasks", 3);
        String jobs = kafka.createUniqueTopic("jobs", 1);
        IngestConfig config = IngestConfig.defaults().withPort(0).withTokenFile(TestTenants.write(tempDir))
                .withKafka(kafka.bootstrapServers(), tasks, jobs);
        IngestService service = IngestService.start(config);
        return new RunningService(service, new Http(service.baseUri()), tasks, jobs);
    }

    @Override
    public void close() {
        service.close();
    }
}
