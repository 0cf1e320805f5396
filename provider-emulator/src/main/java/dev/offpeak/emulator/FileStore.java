package dev.offpeak.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Files on disk. Content is streamed in and out and never held in memory, so a 200 MB batch file
 * costs the emulator a buffer, not 200 MB of heap.
 */
public final class FileStore {
    private static final Pattern SEQUENCED = Pattern.compile("(?:file|spool)-(\\d+)(?:-.*)?");
    private final Path dir;
    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile Journal journal = Journal.NONE;

    public FileStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            // Names carry a sequence number; continue after any left by an earlier run on this folder.
            try (Stream<Path> existing = Files.list(dir)) {
                existing.map(p -> SEQUENCED.matcher(p.getFileName().toString()))
                        .filter(Matcher::matches)
                        .mapToLong(m -> Long.parseLong(m.group(1)))
                        .max().ifPresent(sequence::set);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create emulator data dir " + dir, e);
        }
    }

    void journal(Journal journal) {
        this.journal = journal;
    }

    public Path dir() {
        return dir;
    }

    /** A fresh path inside the data dir for spooling; the caller moves it into the store or deletes it. */
    public Path newSpoolPath(String hint) {
        return dir.resolve("spool-" + sequence.incrementAndGet() + "-" + hint.replaceAll("[^A-Za-z0-9_-]", "_"));
    }

    /** Streams {@code in} to disk (at most {@code maxBytes}, else {@link TooLargeException}) and registers it. */
    public StoredFile store(Provider provider, String id, String filename, String purpose, String mimeType,
                            InputStream in, long maxBytes, Instant now) throws IOException {
        Path spool = newSpoolPath(id);
        MessageDigest digest = sha256();
        long size = 0;
        try (InputStream din = new DigestInputStream(in, digest); OutputStream out = Files.newOutputStream(spool)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = din.read(buf)) >= 0) {
                size += n;
                if (size > maxBytes) {
                    throw new TooLargeException(size, maxBytes);
                }
                out.write(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(spool);
            throw e;
        }
        return register(provider, id, filename, purpose, mimeType, spool, size,
                Base64.getEncoder().encodeToString(digest.digest()), now);
    }

    /** Takes ownership of an already written file (generated output). */
    public StoredFile adopt(Provider provider, String id, String filename, String purpose, String mimeType,
                            Path written, Instant now) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(written), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return register(provider, id, filename, purpose, mimeType, written, Files.size(written),
                Base64.getEncoder().encodeToString(digest.digest()), now);
    }

    private StoredFile register(Provider provider, String id, String filename, String purpose, String mimeType,
                                Path spool, long size, String sha, Instant now) throws IOException {
        Path target = dir.resolve("file-" + sequence.incrementAndGet());
        Files.move(spool, target, StandardCopyOption.REPLACE_EXISTING);
        StoredFile f = new StoredFile(id, provider, filename, purpose, mimeType, size, now, target, sha);
        files.put(key(provider, id), f);
        journal.fileStored(f);
        return f;
    }

    /** A file from the journal of an earlier run; its content is still on disk. */
    void restore(StoredFile f) {
        files.put(key(f.provider(), f.id()), f);
    }

    /** A deletion from the journal of an earlier run. */
    void forget(Provider provider, String id) {
        files.remove(key(provider, id));
    }

    /**
     * A private name for a file's content that survives the client deleting the file (a batch keeps
     * reading its input after {@code DELETE /files/{id}}): a hard link, or a copy where links fail.
     */
    public Path pin(StoredFile f) throws IOException {
        Path pinned = newSpoolPath("pinned-" + f.id());
        try {
            Files.createLink(pinned, f.path());
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(f.path(), pinned);
        }
        return pinned;
    }

    public StoredFile get(Provider provider, String id) {
        return files.get(key(provider, id));
    }

    /** Oldest first. */
    public List<StoredFile> list(Provider provider) {
        List<StoredFile> out = new ArrayList<>();
        for (StoredFile f : files.values()) {
            if (f.provider() == provider) {
                out.add(f);
            }
        }
        out.sort(Comparator.comparing(StoredFile::createdAt).thenComparing(f -> f.path().getFileName().toString()));
        return out;
    }

    public StoredFile delete(Provider provider, String id) throws IOException {
        StoredFile f = files.remove(key(provider, id));
        if (f != null) {
            Files.deleteIfExists(f.path());
            journal.fileDeleted(provider, id);
        }
        return f;
    }

    /** Forgets every file and deletes the content on disk. */
    public void clear() throws IOException {
        files.clear();
        try (Stream<Path> all = Files.list(dir)) {
            for (Path p : all.toList()) {
                if (Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String key(Provider provider, String id) {
        return provider.wireName() + "|" + id;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Content went over the limit; nothing was stored. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long seen, long max) {
            super("content of at least " + seen + " bytes exceeds the limit of " + max + " bytes");
        }
    }
}
