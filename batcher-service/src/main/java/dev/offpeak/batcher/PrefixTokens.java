package dev.offpeak.batcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.CacheablePrefix;
import dev.offpeak.schemas.validation.TokenEstimator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token estimates that tokenize each distinct cacheable prefix once: requests sharing a prefix
 * (the same system prompt, tools, schema) repeat its text in every task, and tokenizing it is most
 * of the estimate's cost. The estimate of a task is the memoized estimate of its prefix parts plus
 * the estimate of the request without them, plus {@value #SEPARATOR} for the newline that joins
 * the two texts in a whole-request estimate.
 *
 * <p>Against {@link TokenEstimator#estimate} of the whole request (which tokenizes the string
 * values joined by newlines, plus 3 tokens per value): for OpenAI models the same count when the
 * texts end in a word (3,000 generated requests, all equal); when they end in punctuation the
 * tokenizer makes {@code ".
"} one token, so the newlines cost nothing in the whole text and this
 * estimate is 1 above (all 1,813 such requests); mixed endings stay within ±1. For Anthropic and
 * Gemini (UTF-8 bytes / 4, rounded up) two roundings instead of one: 0 to 2 tokens above, never
 * below. {@code PrefixTokensTest} holds these bounds.
 *
 * <p>One per intake processor (one per stream task, so never shared between threads), bounded to
 * {@value #CAPACITY} prefixes, least recently used out first; keyed by provider, model and
 * fingerprint, since the model picks the tokenizer.
 */
final class PrefixTokens {
    static final int CAPACITY = 4096;
    /** The newline between the prefix's text and the rest's: one token for OpenAI's encodings. */
    static final int SEPARATOR = 1;

    /** {@code total} includes {@code prefix}. */
    record Estimate(long total, long prefix) {}

    private final TokenEstimator tokens;
    private final Map<String, Long> memo = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CAPACITY;
        }
    };

    PrefixTokens(TokenEstimator tokens) {
        this.tokens = tokens;
    }

    Estimate estimate(Provider provider, String model, JsonNode request, CacheablePrefix prefix) {
        if (prefix.isNone()) {
            return new Estimate(tokens.estimate(provider, model, request), 0);
        }
        String key = provider.id() + '|' + model + '|' + prefix.fingerprint();
        Long prefixTokens = memo.get(key);
        if (prefixTokens == null) {
            prefixTokens = tokens.estimate(provider, model, prefix.parts());
            memo.put(key, prefixTokens);
        }
        long rest = tokens.estimate(provider, model, withoutPrefix(request, prefix.parts()));
        // an estimate is 0 exactly when its part has no string value: then there is nothing to join
        long joined = prefixTokens > 0 && rest > 0 ? SEPARATOR : 0;
        return new Estimate(prefixTokens + rest + joined, prefixTokens);
    }

    /** Memoized prefixes right now (for tests). */
    int size() {
        return memo.size();
    }

    /**
     * {@code request} without the fields {@code parts} took from it. {@link CacheablePrefix} puts the
     * request's own nodes into {@code parts}, so a field whose node is the very same is dropped; a
     * message list of which only the leading system / developer entries are in {@code parts} (a new
     * array of the same entries) keeps the entries after them. Shallow: no node is copied.
     */
    static JsonNode withoutPrefix(JsonNode request, ObjectNode parts) {
        ObjectNode rest = Json.mapper().createObjectNode();
        for (Map.Entry<String, JsonNode> field : request.properties()) {
            JsonNode taken = parts.get(field.getKey());
            JsonNode value = field.getValue();
            if (taken == null) {
                rest.set(field.getKey(), value);
            } else if (taken != value && value.isArray() && taken.isArray() && taken.size() < value.size()) {
                ArrayNode tail = rest.putArray(field.getKey());
                for (int i = taken.size(); i < value.size(); i++) {
                    tail.add(value.get(i));
                }
            }
        }
        return rest;
    }
}
