package dev.offpeak.emulator.openai;

import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.OpenAiHarness;
import dev.offpeak.emulator.TokenCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OpenAiInputScanTest {
    @TempDir
    Path tmp;
    private final TokenCounter tokens = new TokenCounter();

    @Test
    void fileOver200MegabytesFailsValidationWithoutBeingRead() throws Exception {
        Path big = tmp.resolve("big.jsonl");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(OpenAiInputScan.MAX_BYTES + 1); // sparse: costs no disk and no time
        }
        OpenAiInputScan scan = OpenAiInputScan.scan(big, "/v1/chat/completions", tokens, ModelCatalog.shipped());
        assertThat(scan.errors()).hasSize(1);
        assertThat(scan.errors().get(0).get("code").asText()).isEqualTo("file_too_large");
        assertThat(scan.errors().get(0).get("line").isNull()).isTrue();
    }

    @Test
    void promptTokensComeFromTheModelsEncodingPlusChatOverhead() throws Exception {
        Path f = Files.write(tmp.resolve("one.jsonl"), List.of(
                OpenAiHarness.chatLine("a", "gpt-4o-mini", "Hello world", null)));
        OpenAiInputScan scan = OpenAiInputScan.scan(f, "/v1/chat/completions", tokens, ModelCatalog.shipped());
        assertThat(scan.errors()).isEmpty();
        // "user" is 1 o200k token and "Hello world" 2; plus 3 per message and 3 to prime the reply:
        // the 9 prompt tokens OpenAI's cookbook computes for this message.
        assertThat(scan.promptTokens()).isEqualTo(1 + 2 + 3 + 3);
        assertThat(scan.model()).isEqualTo("gpt-4o-mini");
    }
}
