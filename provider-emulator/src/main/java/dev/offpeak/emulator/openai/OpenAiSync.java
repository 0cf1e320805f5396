package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.api.Encoding;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Counters;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.Gate;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.SyncRateLimits;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.List;

/**
 * OpenAI's synchronous endpoints, {@code POST /v1/chat/completions}, {@code /v1/responses} and
 * {@code /v1/embeddings}: the same request rules, model checks, answers, usage and prompt cache as a
 * batch line of that endpoint, refused with the API's HTTP error objects instead of error-file lines.
 *
 * <p>{@code service_tier} (chat completions and responses): absent, {@code auto} or {@code default} are
 * answered at once with {@code service_tier: "default"}; {@code priority} and {@code scale} are served as
 * default too (the emulator has no priority capacity; the answer says {@code default}); {@code flex} is
 * only accepted on the models that offer it ({@link dev.offpeak.emulator.EmulatorConfig.Choices#openAiFlexModels()},
 * else 400 "Unsupported service_tier: flex"), may be shed with 429 {@code resource_unavailable}, and is
 * answered after the flex latency ({@link dev.offpeak.emulator.FlexTier}) with {@code service_tier: "flex"}.
 * Embeddings have no tier: the field is ignored there.
 */
final class OpenAiSync {
    static final List<String> TIERS = List.of("auto", "default", "flex", "scale", "priority");
    static final String SHED_MESSAGE = "Resource unavailable: flex processing capacity is temporarily exhausted. "
            + "Please retry later or use the default service tier.";

    /** The emulator answers whole bodies only; a real API would stream (an emulator limit, not the provider's). */
    static final String STREAM_MESSAGE = "The provider emulator does not stream responses; send the request "
            + "without 'stream' (or with 'stream': false).";

    private final Emulation emu;

    OpenAiSync(Emulation emu) {
        this.emu = emu;
    }

    void handle(Context ctx, String endpoint, String operation) throws InterruptedException {
        ObjectNode body = Json.parseObject(ctx.bodyInputStream());
        boolean tiered = !"/v1/embeddings".equals(endpoint);
        JsonNode tierNode = tiered ? body.path("service_tier") : Json.MAPPER.missingNode();
        boolean flex = "flex".equals(tierNode.asText(null)) && tierNode.isTextual();
        String counted = flex ? "flex" : "standard";
        String model = body.path("model").asText();
        admit(ctx, body, model, operation, counted);
        Encoding encoding = emu.tokens().openAiEncoding(model);
        ApiException refused = body.path("stream").asBoolean(false)
                ? new ApiException(400, STREAM_MESSAGE, "stream", "unsupported_value")
                : OpenAiAnswers.paramError(endpoint, body);
        if (refused == null) {
            refused = tierError(tierNode);
        }
        if (refused == null) {
            refused = OpenAiModelChecks.openAi(emu.config().models(), endpoint, body,
                    OpenAiPrompt.of(endpoint, body).count(emu.tokens(), encoding),
                    text -> emu.tokens().count(encoding, text));
        }
        if (refused == null && flex && !emu.flex().offered(Provider.OPENAI, model)) {
            refused = new ApiException(400, "Unsupported service_tier: flex", "service_tier", null);
        }
        if (refused != null) {
            emu.counters().syncCall(Provider.OPENAI, operation, counted, Counters.SyncOutcome.REFUSED);
            throw refused;
        }
        if (flex) {
            if (emu.flex().shed(Provider.OPENAI)) {
                emu.counters().syncCall(Provider.OPENAI, operation, counted, Counters.SyncOutcome.SHED);
                throw new ApiException(429, SHED_MESSAGE, null, "resource_unavailable", "resource_unavailable");
            }
            emu.flex().await();
        }
        Instant now = emu.now();
        long minCacheable = "/v1/embeddings".equals(endpoint) ? 0
                : emu.config().models().minCacheablePrefix(Provider.OPENAI, model);
        OpenAiAnswers.Usage usage = OpenAiAnswers.usage(emu, endpoint, body, encoding, minCacheable, Gate.scope(ctx),
                now);
        ObjectNode answer = OpenAiAnswers.answer(endpoint, body, usage, now.getEpochSecond(),
                tiered ? (flex ? "flex" : "default") : null);
        emu.counters().syncCall(Provider.OPENAI, operation, counted, Counters.SyncOutcome.ANSWERED);
        Json.send(ctx, answer);
    }

    /** The lane's rate limit first, as the API checks it before the request's content. */
    private void admit(Context ctx, ObjectNode body, String model, String operation, String counted) {
        try {
            emu.rateLimits().admit(Provider.OPENAI, model, Gate.scope(ctx), ctx, () -> SyncRateLimits.tokensOf(body));
        } catch (ApiException e) {
            emu.counters().syncCall(Provider.OPENAI, operation, counted, Counters.SyncOutcome.RATE_LIMITED);
            throw e;
        }
    }

    /** 400 for a {@code service_tier} that is not one of the API's values, or null. */
    private static ApiException tierError(JsonNode tier) {
        if (tier.isMissingNode() || tier.isNull()) {
            return null;
        }
        if (!tier.isTextual()) {
            return new ApiException(400, "Invalid type for 'service_tier': expected one of 'auto', 'default', 'flex', "
                    + "'scale' or 'priority', but got " + dev.offpeak.emulator.RequestRulesCheck.typeName(tier)
                    + " instead.", "service_tier", "invalid_type");
        }
        if (TIERS.contains(tier.asText())) {
            return null;
        }
        return new ApiException(400, "Invalid value: '" + tier.asText() + "'. Supported values are: 'auto', "
                + "'default', 'flex', 'scale', and 'priority'.", "service_tier", "invalid_value");
    }
}
