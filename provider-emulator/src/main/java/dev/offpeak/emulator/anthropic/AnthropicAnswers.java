package dev.offpeak.emulator.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Ids;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.RequestRulesCheck;
import dev.offpeak.emulator.TextSynth;
import dev.offpeak.emulator.TokenCounter;
import dev.offpeak.emulator.TtlKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The Messages API side of an Anthropic batch line: asynchronous {@code params} validation (errors
 * become {@code errored} results, not HTTP errors), token usage with prompt caching, and the
 * deterministic {@code message}. Tokens are estimated at four characters per token.
 *
 * <p>Prompt caching (https://platform.claude.com/docs/en/build-with-claude/prompt-caching): the prompt
 * is read in the order tools → system → messages; each block carrying {@code cache_control} (at most
 * {@value #MAX_BREAKPOINTS}) is a breakpoint that caches the prefix up to and including it when that
 * prefix reaches the model's minimum (the registry's {@code minCacheablePrefix}: 1,024 for Sonnet 4.5,
 * 2,048 for Haiku 3 / 3.5, 4,096 for Haiku 4.5 and Opus 4.5). A request reads the longest prefix already
 * cached, looking at each breakpoint and the {@value #LOOKBACK} block boundaries before it, and writes
 * the prefixes of its breakpoints beyond that ({@code ephemeral_5m} / {@code ephemeral_1h} by the
 * breakpoint's {@code ttl}). Entries are per caller (API key) and model, live for their TTL on the
 * emulator clock, refreshed by each hit, across batches.
 */
public final class AnthropicAnswers {
    static final int MAX_BREAKPOINTS = 4;
    static final int LOOKBACK = 20;
    private final TtlKeys cache;
    private final ModelCatalog models;
    private final int minOverride;
    private final String scope;

    /**
     * @param minOverride 0: each model's minimum from the catalog; above 0: this for every model
     * @param scope       the caller's cache scope
     */
    public AnthropicAnswers(TtlKeys cache, ModelCatalog models, int minOverride, String scope) {
        this.cache = cache;
        this.models = models;
        this.minOverride = minOverride;
        this.scope = scope;
    }

    /**
     * The error of an {@code errored} result for these params, or null: bad params first, then what the
     * model cannot take ({@link AnthropicModelChecks#anthropic}), then too many cache breakpoints.
     * {@link ApiException#code()} is the error type.
     */
    public static ApiException error(JsonNode params, ModelCatalog models) {
        String bad = paramError(params);
        if (bad != null) {
            return new ApiException(400, bad, null, "invalid_request_error");
        }
        ApiException model = AnthropicModelChecks.anthropic(models, params);
        if (model != null) {
            return model;
        }
        int breakpoints = prompt(params).breakpoints().size();
        return breakpoints > MAX_BREAKPOINTS ? new ApiException(400, "A maximum of " + MAX_BREAKPOINTS
                + " blocks with cache_control may be provided. Found " + breakpoints + ".", null,
                "invalid_request_error") : null;
    }

    /** The invalid_request_error message for bad params, or null. */
    public static String paramError(JsonNode params) {
        if (!params.path("model").isTextual()) {
            return "model: Field required";
        }
        return RequestRulesCheck.firstProblem(Provider.ANTHROPIC, "/v1/messages", params)
                .map(AnthropicRuleErrors::message).orElse(null);
    }

    /** A cache_control breakpoint: the block it ends (index into the boundaries) and its TTL. */
    record Breakpoint(int block, boolean oneHour) {
    }

    /**
     * The prompt as the estimate sees it: its length in characters, the end of every block (characters)
     * with a running hash of the prompt up to there, and the breakpoints.
     */
    record Prompt(int chars, int[] ends, long[] hashes, List<Breakpoint> breakpoints) {
    }

    private static final class Walk {
        final StringBuilder sb = new StringBuilder();
        final List<Integer> ends = new ArrayList<>();
        final List<Long> hashes = new ArrayList<>();
        final List<Breakpoint> breakpoints = new ArrayList<>();
        long h = 0xcbf29ce484222325L;
        int chars;

        void block(String text, JsonNode block) {
            for (int i = 0; i < text.length(); i++) {
                h = (h ^ text.charAt(i)) * 0x100000001b3L;
                h ^= h >>> 29;
            }
            h = (h ^ 0x1f) * 0x100000001b3L;
            chars += text.length();
            ends.add(chars);
            hashes.add(h);
            if (block != null && block.hasNonNull("cache_control")) {
                breakpoints.add(new Breakpoint(ends.size() - 1, "1h".equals(block.at("/cache_control/ttl").asText())));
            }
        }

        void salt(String s) {
            for (int i = 0; i < s.length(); i++) {
                h = (h ^ (s.charAt(i) + 0x10000L)) * 0x100000001b3L;
            }
        }
    }

    static Prompt prompt(JsonNode params) {
        Walk w = new Walk();
        for (JsonNode tool : params.path("tools")) {
            w.block(tool.toString(), tool);
        }
        w.salt("|system|");
        JsonNode system = params.path("system");
        if (system.isTextual()) {
            w.block(system.asText(), null);
        }
        for (JsonNode block : system.isArray() ? system : Json.array()) {
            w.block(block.path("text").asText(block.toString()), block);
        }
        for (JsonNode m : params.path("messages")) {
            w.salt("|" + m.path("role").asText() + "|");
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                w.block(content.asText(), null);
                continue;
            }
            for (JsonNode block : content) {
                w.block(block.path("text").asText(block.toString()), block);
            }
        }
        int[] ends = w.ends.stream().mapToInt(Integer::intValue).toArray();
        long[] hashes = w.hashes.stream().mapToLong(Long::longValue).toArray();
        return new Prompt(w.chars, ends, hashes, List.copyOf(w.breakpoints));
    }

    /** Cache reads and writes of one request, in estimated tokens. */
    record CacheUse(int read, int write5m, int write1h) {
        static final CacheUse NONE = new CacheUse(0, 0, 0);

        int written() {
            return write5m + write1h;
        }
    }

    private long minCacheable(String model) {
        return minOverride > 0 ? minOverride : models.minCacheablePrefix(Provider.ANTHROPIC, model);
    }

    /** What this request reads from and writes to the cache at {@code t}; remembers its writes. */
    CacheUse cacheUse(JsonNode params, Prompt p, Instant t) {
        long min = minCacheable(params.path("model").asText());
        if (p.breakpoints().isEmpty() || min <= 0) {
            return CacheUse.NONE;
        }
        String route = scope + "|" + params.path("model").asText() + "|";
        // the longest cached prefix: at a breakpoint or one of the block boundaries just before it
        int readBlock = -1;
        for (Breakpoint b : p.breakpoints()) {
            for (int j = b.block(); j >= Math.max(0, b.block() - LOOKBACK + 1) && j > readBlock; j--) {
                if (TokenCounter.estimate(p.ends()[j]) >= min && cache.hit(route + p.ends()[j] + "|" + p.hashes()[j], t)) {
                    readBlock = j;
                    break;
                }
            }
        }
        int read = readBlock < 0 ? 0 : TokenCounter.estimate(p.ends()[readBlock]);
        int write5m = 0;
        int write1h = 0;
        int upTo = read;
        for (Breakpoint b : p.breakpoints()) {
            int prefix = TokenCounter.estimate(p.ends()[b.block()]);
            if (prefix < min) {
                continue;
            }
            String key = route + p.ends()[b.block()] + "|" + p.hashes()[b.block()];
            Duration ttl = b.oneHour() ? Duration.ofHours(1) : Duration.ofMinutes(5);
            if (b.block() <= readBlock) {
                cache.write(key, t, ttl); // inside what was read: kept warm at no charge
                continue;
            }
            cache.write(key, t, ttl);
            int segment = prefix - upTo;
            if (b.oneHour()) {
                write1h += segment;
            } else {
                write5m += segment;
            }
            upTo = prefix;
        }
        return new CacheUse(read, write5m, write1h);
    }

    /** Estimated prompt tokens of a request (for queue accounting at create). */
    public static int promptTokens(JsonNode params) {
        return TokenCounter.estimate(prompt(params).chars());
    }

    /** The {@code message} of a succeeded result at {@code t}; remembers cache writes for later requests. */
    public ObjectNode message(JsonNode params, Instant t) {
        return message(params, t, "batch");
    }

    /**
     * The message of a request answered at {@code t} in {@code serviceTier} ({@code usage.service_tier}:
     * {@code batch} for batch results, {@code standard} for the synchronous Messages API); the cache is
     * shared by both.
     */
    public ObjectNode message(JsonNode params, Instant t, String serviceTier) {
        Prompt p = prompt(params);
        int total = TokenCounter.estimate(p.chars());
        CacheUse use = cacheUse(params, p, t);
        int write = use.written();
        int read = use.read();
        String seed = TextSynth.seed(params);
        int natural = TextSynth.naturalLength(seed);
        int output = (int) Math.min(natural, params.path("max_tokens").asLong());
        ObjectNode msg = Json.object();
        msg.put("id", "msg_01" + Ids.derivedBase58(seed, 22));
        msg.put("type", "message");
        msg.put("role", "assistant");
        msg.put("model", params.path("model").asText());
        msg.putArray("content").addObject().put("type", "text").put("text", TextSynth.words(seed, output));
        msg.put("stop_reason", output < natural ? "max_tokens" : "end_turn");
        msg.putNull("stop_sequence");
        ObjectNode usage = msg.putObject("usage");
        usage.put("input_tokens", total - write - read);
        usage.put("cache_creation_input_tokens", write);
        usage.put("cache_read_input_tokens", read);
        usage.putObject("cache_creation").put("ephemeral_5m_input_tokens", use.write5m())
                .put("ephemeral_1h_input_tokens", use.write1h());
        usage.put("output_tokens", output);
        usage.put("service_tier", serviceTier);
        return msg;
    }
}
