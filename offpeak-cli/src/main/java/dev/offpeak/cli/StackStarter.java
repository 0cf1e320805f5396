package dev.offpeak.cli;

import dev.offpeak.cli.local.LocalStack;
import java.io.PrintWriter;

/** Starts a local stack for a command, printing each piece as it starts and turning failures into one clear line. */
final class StackStarter {
    private StackStarter() {}

    static LocalStack start(LocalStack.Options options, PrintWriter out) {
        try {
            return LocalStack.start(options, piece -> {
                out.println("  starting " + piece);
                out.flush();
            });
        } catch (Exception e) {
            throw new CliException("local mode could not start: " + EmulatorCommand.rootMessage(e)
                    + " (data folder " + options.dataDir() + ")", e);
        }
    }

    /**
     * A Ctrl-C hook that asks the command to stop, then holds the JVM until the command says it
     * has closed everything: the JVM halts as soon as its hooks return, and a broker or database
     * cut off mid-close is what makes the next start slow or broken.
     */
    static Thread stopHook(java.util.concurrent.CountDownLatch stop, java.util.concurrent.CountDownLatch closed) {
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "offpeak-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** A hook may only be removed while the JVM is not already shutting down. */
    static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what is stopping us; nothing to remove
        }
    }
}
