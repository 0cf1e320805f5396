package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Counters;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.Gate;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Operations;
import dev.offpeak.emulator.Provider;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.Locale;

/**
 * Gemini's synchronous {@code POST models/{model}:generateContent} (v1beta and v1): the same checks, answer,
 * usage and caches (implicit, and explicit {@code cachedContent} as the caller has it now) as a batch request
 * of that model, refused with Google's HTTP error objects ({@code {"error":{code,message,status}}}).
 *
 * <p>{@code serviceTier} / {@code service_tier} (https://ai.google.dev/gemini-api/docs/flex-inference: "specify
 * the service_tier as flex"; the JS SDK sends {@code serviceTier: "flex"}, the REST example {@code "FLEX"}):
 * absent, {@code standard} or {@code unspecified} are answered at once; {@code priority} is served as
 * standard, as the priority guide's "graceful downgrade" does; {@code flex} is accepted on the models of
 * {@link dev.offpeak.emulator.EmulatorConfig.Choices#geminiFlexModels()}, may be shed with 503
 * {@code UNAVAILABLE} and is answered after the flex latency. The tier served is in
 * {@code usageMetadata.serviceTier} and the {@code x-gemini-service-tier} header.
 */
final class GeminiSync {
    static final String SHED_MESSAGE = "The model is overloaded. Please try again later.";

    private final Emulation emu;

    GeminiSync(Emulation emu) {
        this.emu = emu;
    }

    void generate(Context ctx, String model, String version) throws InterruptedException {
        ObjectNode request = Json.parseObject(ctx.bodyInputStream());
        JsonNode tierNode = GeminiAnswers.field(request, "serviceTier", "service_tier");
        String tier = tier(tierNode);
        boolean flex = "flex".equals(tier);
        String counted = flex ? "flex" : "standard";
        try {
            emu.rateLimits().admit(Provider.GEMINI, model, Gate.scope(ctx), ctx,
                    () -> dev.offpeak.emulator.SyncRateLimits.tokensOf(request));
        } catch (ApiException e) {
            emu.counters().syncCall(Provider.GEMINI, Operations.GENERATE_CONTENT, counted,
                    Counters.SyncOutcome.RATE_LIMITED);
            throw e;
        }
        ApiException refused = GeminiModelChecks.geminiModel(emu.config().models(), version, model, "generateContent");
        if (refused == null && tier == null) {
            refused = new ApiException(400, "Invalid value at 'service_tier' "
                    + "(type.googleapis.com/google.ai.generativelanguage." + version + ".ServiceTier), \""
                    + tierNode.asText() + "\"");
        }
        String scope = Gate.scope(ctx);
        if (refused == null) {
            ObjectNode status = GeminiAnswers.requestError(request, emu.config().models(), model,
                    new GeminiCaching.View(emu.cachedContents(), scope, emu.now()));
            if (status != null) {
                refused = new ApiException(status.path("code").asInt(400), status.path("message").asText(), null,
                        status.path("status").asText(null));
            }
        }
        if (refused == null && flex && !emu.flex().offered(Provider.GEMINI, model)) {
            refused = new ApiException(400, "Service tier flex is not supported for models/" + model + ".");
        }
        if (refused != null) {
            emu.counters().syncCall(Provider.GEMINI, Operations.GENERATE_CONTENT, counted, Counters.SyncOutcome.REFUSED);
            throw refused;
        }
        if (flex) {
            if (emu.flex().shed(Provider.GEMINI)) {
                emu.counters().syncCall(Provider.GEMINI, Operations.GENERATE_CONTENT, counted,
                        Counters.SyncOutcome.SHED);
                throw new ApiException(503, SHED_MESSAGE);
            }
            emu.flex().await();
        }
        Instant now = emu.now();
        GeminiCaching.View caches = new GeminiCaching.View(emu.cachedContents(), scope, now);
        long explicit = GeminiCaching.explicitTokens(request, caches);
        long implicit = GeminiCaching.implicitTokens(emu, scope, model, request, now);
        ObjectNode response = GeminiAnswers.response(request, model, explicit, implicit);
        ((ObjectNode) response.get("usageMetadata")).put("serviceTier", counted);
        ctx.header("x-gemini-service-tier", counted);
        emu.counters().syncCall(Provider.GEMINI, Operations.GENERATE_CONTENT, counted, Counters.SyncOutcome.ANSWERED);
        Json.send(ctx, response);
    }

    /**
     * The tier asked for: "standard" (absent, standard, unspecified, priority), "flex", or null when the value
     * is not one of the enum's; upper case and the {@code SERVICE_TIER_} prefix are accepted.
     */
    static String tier(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return "standard";
        }
        if (!node.isTextual()) {
            return null;
        }
        String v = node.asText().toLowerCase(Locale.ROOT).replaceFirst("^service_tier_", "");
        return switch (v) {
            case "", "unspecified", "standard", "priority" -> "standard";
            case "flex" -> "flex";
            default -> null;
        };
    }
}
