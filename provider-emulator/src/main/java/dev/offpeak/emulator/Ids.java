package dev.offpeak.emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * Ids in each provider's format. Object ids come from a seeded sequence (unique per emulator run);
 * ids inside answers are hashes of the request so that the same request gets the same answer.
 */
public final class Ids {
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final String LOWER36 = "0123456789abcdefghijklmnopqrstuvwxyz";
    private final Random random;

    public Ids(long seed) {
        this.random = new Random(seed);
    }

    public synchronized String openAiBatch() {
        return "batch_" + chars("0123456789abcdef", 32);
    }

    public synchronized String openAiFile() {
        return "file-" + chars(BASE62, 22);
    }

    public synchronized String anthropicBatch() {
        return "msgbatch_01" + chars(BASE58, 22);
    }

    /** Without the {@code batches/} prefix. */
    public synchronized String geminiBatch() {
        return chars(LOWER36, 36);
    }

    /** Without the {@code files/} prefix. */
    public synchronized String geminiFile() {
        return chars(LOWER36, 12);
    }

    /** Without the {@code cachedContents/} prefix. */
    public synchronized String geminiCachedContent() {
        return chars(LOWER36, 12);
    }

    public synchronized String requestId() {
        return "req_" + chars(BASE62, 24);
    }

    private String chars(String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Hex SHA-256 of the text; used for ids and text derived from a request. */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Stable id fragment of {@code length} chars from {@code alphabet}, derived from the text. */
    public static String derived(String text, String alphabet, int length) {
        byte[] h = sha256(text.getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt((h[i % h.length] & 0xff) % alphabet.length()));
        }
        return sb.toString();
    }

    public static String derivedBase58(String text, int length) {
        return derived(text, BASE58, length);
    }

    public static String derivedBase62(String text, int length) {
        return derived(text, BASE62, length);
    }
}
