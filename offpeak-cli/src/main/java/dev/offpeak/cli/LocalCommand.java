package dev.offpeak.cli;

import dev.offpeak.cli.local.LocalStack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The local stack, kept running until Ctrl-C; a restart on the same data folder continues where it stopped. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Run Kafka, PostgreSQL, the provider emulator and the three services in this JVM until Ctrl-C.",
                "State is kept under --data-dir, so a restart continues where it stopped; the endpoints are "
                        + "printed and written to <data-dir>/endpoints.json."})
public final class LocalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = ".offpeak", description = "Data folder (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--batch-max-wait", defaultValue = "10s",
            description = "Longest time an open batch waits for more tasks, ISO or 10s/2m (default: ${DEFAULT-VALUE}).",
            converter = DurationConverter.class)
    Duration batchMaxWait;

    /** Counted down by Ctrl-C (or a test) to stop the stack. */
    final CountDownLatch stop = new CountDownLatch(1);

    /** Set once everything runs, for tests. */
    volatile LocalStack running;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Starting local mode in " + dataDir.toAbsolutePath().normalize());
        out.flush();
        long t0 = System.nanoTime();
        LocalStack stack = StackStarter.start(new LocalStack.Options(dataDir, List.of(), batchMaxWait), out);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = StackStarter.stopHook(stop, closed);
        // The hook (Ctrl-C, SIGTERM) holds the JVM until `closed`: released only after every piece is
        // closed and "Stopped." is out, or the JVM could halt halfway through either.
        try {
            try (stack) {
                running = stack;
                out.printf("Local mode up in %.1f s; endpoints (also in %s):%n", (System.nanoTime() - t0) / 1e9,
                        stack.dataDir().resolve("endpoints.json"));
                stack.endpoints().print(out);
                out.println("Ctrl-C stops it; data stays in " + stack.dataDir() + ".");
                out.flush();
                stop.await();
                out.println("Stopping local mode...");
                out.flush();
            }
            out.println("Stopped.");
            out.flush();
        } finally {
            closed.countDown();
            StackStarter.removeHook(hook);
        }
        return 0;
    }
}
