package dev.offpeak.emulator;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Writes JSONL lines out of input order, as the providers do, without holding the whole file:
 * lines are shuffled inside windows of {@value #WINDOW} with a seed taken from the batch id, so the
 * order is unordered for a client yet identical on every run.
 */
public final class ShuffledJsonlWriter implements Closeable {
    private static final int WINDOW = 64;
    private final BufferedWriter out;
    private final Random random;
    private final List<String> pending = new ArrayList<>(WINDOW);
    private long lines;

    public ShuffledJsonlWriter(Path path, String seed) throws IOException {
        this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        this.random = new Random(seed.hashCode());
    }

    public void write(String jsonLine) throws IOException {
        pending.add(jsonLine);
        lines++;
        if (pending.size() == WINDOW) {
            flushWindow();
        }
    }

    public long lines() {
        return lines;
    }

    private void flushWindow() throws IOException {
        Collections.shuffle(pending, random);
        for (String s : pending) {
            out.write(s);
            out.write('\n');
        }
        pending.clear();
    }

    @Override
    public void close() throws IOException {
        try {
            flushWindow();
        } finally {
            out.close();
        }
    }
}
