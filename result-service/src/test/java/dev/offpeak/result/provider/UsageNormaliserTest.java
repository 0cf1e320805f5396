package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import org.junit.jupiter.api.Test;

/** Every token class billed once: input without cached / cache writes, output without reasoning. */
class UsageNormaliserTest {
    private static JsonNode json(String s) throws Exception {
        return Json.mapper().readTree(s);
    }

    @Test
    void openAiChatSplitsCachedOutOfPromptAndReasoningOutOfCompletion() throws Exception {
        Usage u = UsageNormaliser.openAi(json("""
                {"prompt_tokens":2100,"completion_tokens":300,"total_tokens":2400,
                 "prompt_tokens_details":{"cached_tokens":2048,"audio_tokens":0},
                 "completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0}}"""));
        assertThat(u).isEqualTo(new Usage(52, 2048, 0, 0, 44, 256));
        assertThat(u.totalTokens()).isEqualTo(2400);
    }

    @Test
    void openAiResponsesUsesInputAndOutputNames() throws Exception {
        Usage u = UsageNormaliser.openAi(json("""
                {"input_tokens":31,"input_tokens_details":{"cached_tokens":10},"output_tokens":20,
                 "output_tokens_details":{"reasoning_tokens":5},"total_tokens":51}"""));
        assertThat(u).isEqualTo(new Usage(21, 10, 0, 0, 15, 5));
    }

    @Test
    void openAiEmbeddingsHaveOnlyPromptTokens() throws Exception {
        assertThat(UsageNormaliser.openAi(json("{\"prompt_tokens\":8,\"total_tokens\":8}")))
                .isEqualTo(new Usage(8, 0, 0, 0, 0, 0));
    }

    @Test
    void anthropicInputIsAlreadyUncachedAndCacheWritesSplitByTtl() throws Exception {
        // anthropic-message-batches.md §5, first constructed line, with cache writes filled in
        Usage u = UsageNormaliser.anthropic(json("""
                {"input_tokens":14,"cache_creation_input_tokens":300,"cache_read_input_tokens":2048,
                 "cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200},
                 "output_tokens":3,"service_tier":"batch"}"""));
        assertThat(u).isEqualTo(new Usage(14, 2048, 100, 200, 3, 0));
    }

    @Test
    void anthropicWithoutTheTtlSplitBillsCacheWritesAsFiveMinutes() throws Exception {
        Usage u = UsageNormaliser.anthropic(json("""
                {"input_tokens":14,"cache_creation_input_tokens":300,"cache_read_input_tokens":0,"output_tokens":3}"""));
        assertThat(u).isEqualTo(new Usage(14, 0, 300, 0, 3, 0));
    }

    @Test
    void geminiPromptIncludesCachedAndToolUseIsInput() throws Exception {
        Usage u = UsageNormaliser.gemini(json("""
                {"promptTokenCount":1000,"cachedContentTokenCount":800,"toolUsePromptTokenCount":50,
                 "candidatesTokenCount":40,"thoughtsTokenCount":120,"totalTokenCount":1210}"""));
        assertThat(u).isEqualTo(new Usage(250, 800, 0, 0, 40, 120));
        assertThat(u.totalTokens()).isEqualTo(1210);
    }

    @Test
    void geminiOmittedZeroFieldsAndStringCountsAreRead() throws Exception {
        assertThat(UsageNormaliser.gemini(json("{\"promptTokenCount\":\"9\",\"candidatesTokenCount\":1}")))
                .isEqualTo(new Usage(9, 0, 0, 0, 1, 0));
    }

    @Test
    void missingUsageIsZero() {
        assertThat(UsageNormaliser.openAi(null)).isEqualTo(Usage.ZERO);
        assertThat(UsageNormaliser.anthropic(Json.mapper().missingNode())).isEqualTo(Usage.ZERO);
    }
}
