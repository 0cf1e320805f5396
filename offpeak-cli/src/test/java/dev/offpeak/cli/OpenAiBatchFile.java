package dev.offpeak.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** OpenAI batch input files ({custom_id, method, url, body}) for tests; a share of bodies repeats. */
final class OpenAiBatchFile {
    private OpenAiBatchFile() {}

    static List<String> lines(int count, double duplicateShare) {
        SplittableRandom random = new SplittableRandom(7);
        List<String> lines = new ArrayList<>(count);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String prompt = !prompts.isEmpty() && random.nextDouble() < duplicateShare
                    ? prompts.get(random.nextInt(prompts.size()))
                    : "Classify the sentiment of review " + random.nextLong(1_000_000_000L) + ": great product";
            prompts.add(prompt);
            ObjectNode line = Json.mapper().createObjectNode().put("custom_id", "req-" + i).put("method", "POST")
                    .put("url", "/v1/chat/completions");
            ObjectNode body = line.putObject("body").put("model", "gpt-4o-mini").put("max_tokens", 50);
            body.putArray("messages").addObject().put("role", "user").put("content", prompt);
            lines.add(Json.write(line));
        }
        return lines;
    }
}
