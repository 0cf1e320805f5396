package dev.offpeak.cli;

import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.emulator.ProviderEmulator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The provider emulator alone, until Ctrl-C. */
@Command(name = "emulator", mixinStandardHelpOptions = true,
        description = "Run the provider emulator alone (OpenAI, Anthropic and Gemini batch APIs on one port) until Ctrl-C.")
public final class EmulatorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8089", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--slow", description = "Provider-like pacing (100 lines/s, 30 s minimum) instead of finishing batches in seconds.")
    boolean slow;

    @Option(names = "--data-dir", description = "Where uploaded and result files are kept (default: a temp dir removed on exit).")
    Path dataDir;

    /** Counted down by tests (and the shutdown hook) to stop the emulator. */
    final CountDownLatch stop = new CountDownLatch(1);

    /** Set once listening, for tests that start on port 0. */
    volatile ProviderEmulator running;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value " + port + " for --port: must be 0..65535");
        }
        EmulatorConfig config = EmulatorConfig.defaults().withHost(host).withPort(port).withDataDir(dataDir)
                .withSpeed(slow ? EmulatorConfig.Speed.defaults() : EmulatorConfig.Speed.fast());
        ProviderEmulator emulator;
        try {
            emulator = ProviderEmulator.start(config);
        } catch (RuntimeException e) {
            throw new CliException("cannot start the emulator on " + host + ":" + port + ": " + rootMessage(e), e);
        }
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = StackStarter.stopHook(stop, closed);
        try {
            try (emulator) { // closed before the hook lets the JVM go: the journal is complete
                running = emulator;
                PrintWriter out = spec.commandLine().getOut();
                out.println("provider emulator listening on " + emulator.baseUrl());
                out.println("  OpenAI     " + emulator.openAiBaseUrl());
                out.println("  Anthropic  " + emulator.anthropicBaseUrl());
                out.println("  Gemini     " + emulator.geminiBaseUrl());
                out.println("Any non-empty API key is accepted. Ctrl-C stops it.");
                out.flush();
                stop.await();
            }
        } finally {
            closed.countDown();
            StackStarter.removeHook(hook);
        }
        return 0;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
