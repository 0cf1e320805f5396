package dev.offpeak.emulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The official npm SDKs ({@code openai}, {@code @anthropic-ai/sdk}, {@code @google/genai}) run
 * create → poll → results against an in-process emulator, changing only base URL and key, then call the
 * synchronous endpoints (OpenAI chat completions in flex and responses, Anthropic messages, Gemini
 * generateContent in flex), shed flex calls and injected faults included. Needs
 * {@code node} and {@code src/test/sdk/node_modules} ({@code src/test/sdk/run.sh} or {@code npm ci}
 * there); without them every test is skipped with that reason.
 */
class SdkConformanceIT {
    private static final Path SDK_DIR = Path.of("src", "test", "sdk").toAbsolutePath();
    private static ProviderEmulator emu;
    private static String missing;

    @BeforeAll
    static void start() {
        if (!nodeAvailable()) {
            missing = "node is not on the PATH; install Node 20+ to run the SDK conformance tests";
        } else if (!Files.isDirectory(SDK_DIR.resolve("node_modules"))) {
            missing = "SDKs not installed: run `npm ci` in " + SDK_DIR + " (or src/test/sdk/run.sh)";
        } else {
            // flex answers after 0.2-0.4 s here (the default range is 5-60 s at this speed)
            emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(ManualClock.startingAt2026())
                    .withChoices(EmulatorConfig.Choices.defaults().withFlex(Duration.ofMillis(200),
                            Duration.ofMillis(400), 0.0)));
        }
    }

    /** Per test, so each one is reported as skipped with the reason (a class-level skip shows as 0 tests). */
    @BeforeEach
    void requireNodeAndSdks() {
        assumeTrue(missing == null, missing);
    }

    @AfterAll
    static void stop() {
        if (emu != null) {
            emu.close();
        }
    }

    @Test
    void openAiSdkCreatesPollsAndDownloads() throws Exception {
        runScript("openai");
    }

    @Test
    void anthropicSdkCreatesPollsAndStreamsResults() throws Exception {
        runScript("anthropic");
    }

    @Test
    void geminiSdkRunsInlineAndFileJobs() throws Exception {
        runScript("gemini");
    }

    private static void runScript(String name) throws IOException, InterruptedException {
        Path log = Files.createTempFile("sdk-" + name, ".log");
        ProcessBuilder pb = new ProcessBuilder("node", name + ".mjs").directory(SDK_DIR.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("EMULATOR_URL", emu.baseUrl());
        Process p = pb.start();
        p.getOutputStream().close();
        boolean finished = p.waitFor(Duration.ofMinutes(3).toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("script %s timed out:%n%s", name, out).isTrue();
        assertThat(p.exitValue()).as("script %s failed:%n%s", name, out).isZero();
        assertThat(out).contains("\"sdk\":\"" + name + "\",\"ok\":true");
    }

    private static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
