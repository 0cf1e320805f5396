package dev.offpeak.cli.prices;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The changes between two imported layers, one line per added, removed or changed fact. */
final class RegistryDiff {
    private static final List<String> FIELDS = List.of("context_window", "deprecated", "match", "prices");

    private RegistryDiff() {}

    static List<String> changes(JsonNode before, JsonNode after) {
        Map<String, JsonNode> old = PricesCommand.rows(before);
        Map<String, JsonNode> now = PricesCommand.rows(after);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : now.entrySet()) {
            JsonNode was = old.get(e.getKey());
            if (was == null) {
                out.add("+ " + e.getKey() + " " + e.getValue().path("prices"));
                continue;
            }
            for (String field : FIELDS) {
                JsonNode a = was.get(field);
                JsonNode b = e.getValue().get(field);
                // compared as written: a number read back from a file and one just converted differ in node type only
                if (!Objects.equals(a == null ? null : a.toString(), b == null ? null : b.toString())) {
                    out.add("~ " + e.getKey() + " " + field + ": " + a + " -> " + b);
                }
            }
        }
        for (String key : old.keySet()) {
            if (!now.containsKey(key)) {
                out.add("- " + key);
            }
        }
        return out;
    }
}
