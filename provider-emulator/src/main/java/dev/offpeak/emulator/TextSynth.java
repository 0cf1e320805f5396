package dev.offpeak.emulator;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic answer text: the same request always gets the same words. Each word is a common
 * English word that the OpenAI encodings treat as one token, so the reported output token count
 * matches what a tokenizer would say about the text.
 */
public final class TextSynth {
    private static final String[] WORDS = {
        "the", "answer", "is", "yes", "and", "it", "will", "be", "fine", "for", "this", "case", "with", "a",
        "good", "result", "so", "we", "can", "say", "that", "more", "data", "shows", "one", "clear", "point",
        "here", "now", "as", "well", "done"};

    private TextSynth() {
    }

    /**
     * The seed of a request's answer: the request JSON without its service tier ({@code service_tier},
     * {@code serviceTier}), so the same request answers with the same words whether it ran in a batch,
     * synchronously or in the flex tier. A request without a tier field is its JSON unchanged.
     */
    public static String seed(com.fasterxml.jackson.databind.JsonNode request) {
        if (request instanceof com.fasterxml.jackson.databind.node.ObjectNode o
                && (o.has("service_tier") || o.has("serviceTier"))) {
            return o.deepCopy().without(java.util.List.of("service_tier", "serviceTier")).toString();
        }
        return request.toString();
    }

    /** How many tokens the emulator "wants" to answer with (8..64), before any max-tokens cap. */
    public static int naturalLength(String requestJson) {
        byte[] h = Ids.sha256(requestJson.getBytes(StandardCharsets.UTF_8));
        return 8 + (h[0] & 0xff) % 57;
    }

    public static String words(String requestJson, int count) {
        byte[] h = Ids.sha256(requestJson.getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder(count * 6);
        for (int i = 0; i < count; i++) {
            String w = WORDS[(h[i % h.length] & 0xff ^ i * 7) % WORDS.length];
            if (i == 0) {
                sb.append(Character.toUpperCase(w.charAt(0))).append(w, 1, w.length());
            } else {
                sb.append(' ').append(w);
            }
        }
        return sb.append(count > 0 ? "." : "").toString();
    }

    /** A deterministic unit vector component list for embeddings. */
    public static double[] vector(String input, int dimensions) {
        byte[] h = Ids.sha256(input.getBytes(StandardCharsets.UTF_8));
        double[] v = new double[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            v[i] = ((h[i % h.length] & 0xff) ^ (i * 31 & 0xff)) / 255.0 - 0.5;
            norm += v[i] * v[i];
        }
        norm = Math.sqrt(norm == 0 ? 1 : norm);
        for (int i = 0; i < dimensions; i++) {
            v[i] = Math.round(v[i] / norm * 1e6) / 1e6;
        }
        return v;
    }
}
