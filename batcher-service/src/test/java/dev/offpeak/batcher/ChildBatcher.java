package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A batcher in its own JVM, so a test can kill it the hard way (SIGKILL: no commit, no close, no
 * shutdown hook) and so its heap is measured alone.
 */
public final class ChildBatcher implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildBatcher(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildBatcher start(String mainClass, String maxHeap, Map<String, String> env, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:+UseParallelGC",
                "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // quiets JDK 25's Unsafe warnings; unknown before 23
        }
        command.addAll(List.of("-cp", classPath()));
        String extra = System.getProperty("child.jvmArgs", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+"))); // e.g. a JFR recording while profiling
        }
        command.add(mainClass);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // any free port for health and metrics, unless the caller chose one: children may overlap
        builder.environment().put(BatcherConfig.HTTP_PORT, "0");
        builder.environment().putAll(env);
        return new ChildBatcher(builder.start(), log);
    }

    /**
     * The classpath this code was loaded from: under exec:java the JVM's own java.class.path is
     * Maven's, and the test classpath lives only in the class loader.
     */
    static String classPath() {
        List<String> entries = new ArrayList<>();
        for (ClassLoader cl = ChildBatcher.class.getClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (URISyntaxException e) {
                        throw new IllegalStateException("classpath entry " + url, e);
                    }
                }
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
    }

    /** SIGKILL: the process gets no chance to commit or close anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the shutdown hook closes the service cleanly. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
