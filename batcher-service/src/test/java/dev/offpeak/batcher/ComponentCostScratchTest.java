package dev.offpeak.batcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.identity.RequestIdentity;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.PriceCatalog;
import dev.offpeak.schemas.validation.TaskValidator;
import org.junit.jupiter.api.Test;

class ComponentCostScratchTest {
    @Test
    void measure() throws Exception {
        Workload w = new Workload(20000, 0.2, 1000, 1);
        TaskValidator v = new TaskValidator(PriceCatalog.loadDefault());
        TokenEstimator tok = new TokenEstimator();
        for (int round = 0; round < 3; round++) {
            long parse = 0, valid = 0, conv = 0, id = 0, line = 0, tokens = 0, ser = 0;
            for (Workload.Task t : w.tasks) {
                long a = System.nanoTime();
                JsonNode tree = Json.mapper().readTree(t.json());
                long b = System.nanoTime();
                v.validate(tree);
                long c = System.nanoTime();
                TaskSubmitted task = EventSerde.of(TaskSubmitted.class).convert(tree);
                long d = System.nanoTime();
                String rid = RequestIdentity.requestId(task);
                long e = System.nanoTime();
                String l = LineFormat.line(task.provider(), task.endpoint(), task.model(), rid, task.request());
                long f = System.nanoTime();
                tok.estimate(task.provider(), task.model(), task.request());
                long g = System.nanoTime();
                Json.writeBytes(new PendingTask(task.taskId(), task.tenant(), null, task.provider(), task.endpoint(), task.model(), null, null, null, rid, "lane", l, 1, 1, java.math.BigDecimal.ONE));
                long h = System.nanoTime();
                parse += b - a; valid += c - b; conv += d - c; id += e - d; line += f - e; tokens += g - f; ser += h - g;
            }
            int n = w.tasks.size();
            System.out.printf("per task us: parse %.1f validate %.1f convert %.1f identity %.1f line %.1f tokens %.1f serialize %.1f%n",
                    parse / 1e3 / n, valid / 1e3 / n, conv / 1e3 / n, id / 1e3 / n, line / 1e3 / n, tokens / 1e3 / n, ser / 1e3 / n);
        }
    }
}
