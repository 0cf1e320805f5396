package dev.offpeak.result.provider;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What to submit: the pipeline batch id (carried in OpenAI metadata / the file name / Gemini's
 * display name so a lost answer can be found again), the lane, and the lines, streamed from the
 * database into the request body so a 200 MB batch is never held in memory.
 */
public record BatchSubmission(String pipelineBatchId, String endpoint, String model, long lineCount, long byteCount,
        LineSource lines) {

    /** Writes the provider-format lines, in order, each a JSON object without its newline. */
    @FunctionalInterface
    public interface LineSource {
        void forEach(LineConsumer consumer) throws IOException;
    }

    @FunctionalInterface
    public interface LineConsumer {
        void accept(String line) throws IOException;
    }

    /** Writes every line followed by a newline (OpenAI / Gemini JSONL files). */
    public void writeJsonl(OutputStream out) throws IOException {
        lines.forEach(line -> {
            out.write(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write('\n');
        });
    }
}
