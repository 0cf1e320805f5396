package dev.offpeak.result.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.json.Json;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report's wire form: snake_case, money as exact decimal strings, and back to an equal report. */
class JobReportJsonTest {
    @Test
    void aReportSurvivesTheReadApiUnchangedWithMoneyAsExactStrings() throws Exception {
        JobReport.Row row = new JobReport.Row("openai", "gpt-4o-mini", 3, 2, 1, 0,
                new TreeMap<>(Map.of("succeeded", 3L, "failed", 0L)), new TreeMap<>(Map.of("succeeded", 2L)),
                new BigDecimal("0.000123"), new BigDecimal("0.0002460"), new BigDecimal("1.23E-7"), 10, 5,
                new BigDecimal("0.0009"), new BigDecimal("0.0003"), new BigDecimal("0.000354"), new BigDecimal("0.000123"),
                new TreeMap<>(Map.of("batch", 2L, "sync", 1L)), new BigDecimal("0.00004"));
        JobReport report = new JobReport("job-1", "acme", List.of(row), new TreeMap<>(Map.of("openai", 1L)),
                new JobReport.Turnaround(1.5, 2.5, 3));

        String json = Json.write(report);
        JsonNode tree = Json.mapper().readTree(json);
        assertThat(tree.at("/rows/0/saved_usd").asText()).isEqualTo("0.000000123");
        assertThat(tree.at("/rows/0/sync_equivalent_usd").asText()).isEqualTo("0.0002460");
        assertThat(tree.at("/turnaround/p95_seconds").asDouble()).isEqualTo(2.5);
        assertThat(tree.at("/rows/0/list_usd").asText()).isEqualTo("0.0009");
        assertThat(tree.at("/rows/0/saved_by_caching_usd").asText()).isEqualTo("0.000354");
        assertThat(tree.at("/rows/0/lines_by_mode/sync").asLong()).isEqualTo(1);
        assertThat(tree.at("/rows/0/rescue_cost_usd").asText()).isEqualTo("0.00004");
        assertThat(tree.has("tasks")).as("totals are derived, not sent").isFalse();

        JobReport back = Json.mapper().readValue(json, JobReport.class);
        assertThat(back).isEqualTo(report);
        assertThat(back.rows().getFirst().tasksByStatus().keySet()).containsExactly("failed", "succeeded");
    }

    @Test
    void aTableKeepsItsCellsAndWhichColumnsAreNumbers() throws Exception {
        Table table = new Table(List.of(new Table.Column("status", false), new Table.Column("cost_usd", true)),
                List.of(List.of("succeeded", "0.01062315")));
        assertThat(Json.mapper().readValue(Json.write(new Overviews.Tenanted("acme", table)), Overviews.Tenanted.class))
                .isEqualTo(new Overviews.Tenanted("acme", table));
    }
}
