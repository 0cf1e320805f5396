package dev.offpeak.emulator;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Token counts. OpenAI models use their real BPE encodings (jtokkit); Anthropic and Gemini publish no
 * offline tokenizer, so for them the emulator uses the documented estimate of one token per four
 * characters (rounded up).
 */
public final class TokenCounter {
    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();

    /** o200k_base for the GPT-4o / 4.1 / 5 / o-series families, cl100k_base for GPT-4, GPT-3.5 and embeddings. */
    public Encoding openAiEncoding(String model) {
        String m = model == null ? "" : model;
        boolean legacy = (m.startsWith("gpt-4") && !m.startsWith("gpt-4o") && !m.startsWith("gpt-4.1"))
                || m.startsWith("gpt-3.5") || m.startsWith("text-embedding") || m.startsWith("davinci")
                || m.startsWith("babbage");
        return registry.getEncoding(legacy ? EncodingType.CL100K_BASE : EncodingType.O200K_BASE);
    }

    public int count(Encoding encoding, String text) {
        return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    public int[] encode(Encoding encoding, String text) {
        return text.isEmpty() ? new int[0] : encoding.encodeOrdinary(text).toArray();
    }

    /** Anthropic and Gemini: ceil(chars / 4). */
    public static int estimate(int chars) {
        return (chars + 3) / 4;
    }
}
