package dev.offpeak.batcher;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * SHA-256 whose running state is a plain value, so a batch's {@code ids_checksum} can be kept in a
 * state store between lines and survive a restart. {@link java.security.MessageDigest} cannot be
 * serialized, and keeping every request id to hash at close would grow with the batch. The state
 * is the eight chaining words, the bytes of an unfinished 64-byte block, and the message length.
 */
public record RunningSha256(int[] h, byte[] tail, long length) {
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    private static final int[] INITIAL = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

    public static RunningSha256 empty() {
        return new RunningSha256(INITIAL.clone(), new byte[0], 0);
    }

    /** A new state with {@code data} appended; this one is left unchanged. */
    public RunningSha256 update(byte[] data) {
        int[] words = h.clone();
        byte[] pending = new byte[tail.length + data.length];
        System.arraycopy(tail, 0, pending, 0, tail.length);
        System.arraycopy(data, 0, pending, tail.length, data.length);
        int blocks = pending.length / 64;
        for (int b = 0; b < blocks; b++) {
            compress(words, pending, b * 64);
        }
        return new RunningSha256(words, Arrays.copyOfRange(pending, blocks * 64, pending.length), length + data.length);
    }

    /** The lowercase hex digest of everything appended so far. */
    public String hex() {
        int[] words = h.clone();
        int padded = ((tail.length + 8) / 64 + 1) * 64;
        byte[] last = Arrays.copyOf(tail, padded);
        last[tail.length] = (byte) 0x80;
        long bits = length * 8;
        for (int i = 0; i < 8; i++) {
            last[padded - 1 - i] = (byte) (bits >>> (8 * i));
        }
        for (int off = 0; off < padded; off += 64) {
            compress(words, last, off);
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 8; i++) {
            out[4 * i] = (byte) (words[i] >>> 24);
            out[4 * i + 1] = (byte) (words[i] >>> 16);
            out[4 * i + 2] = (byte) (words[i] >>> 8);
            out[4 * i + 3] = (byte) words[i];
        }
        return HexFormat.of().formatHex(out);
    }

    private static void compress(int[] hs, byte[] block, int off) {
        int[] w = new int[64];
        for (int i = 0; i < 16; i++) {
            int j = off + 4 * i;
            w[i] = (block[j] & 0xff) << 24 | (block[j + 1] & 0xff) << 16 | (block[j + 2] & 0xff) << 8 | (block[j + 3] & 0xff);
        }
        for (int i = 16; i < 64; i++) {
            int s0 = Integer.rotateRight(w[i - 15], 7) ^ Integer.rotateRight(w[i - 15], 18) ^ (w[i - 15] >>> 3);
            int s1 = Integer.rotateRight(w[i - 2], 17) ^ Integer.rotateRight(w[i - 2], 19) ^ (w[i - 2] >>> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        int a = hs[0], b = hs[1], c = hs[2], d = hs[3], e = hs[4], f = hs[5], g = hs[6], hh = hs[7];
        for (int i = 0; i < 64; i++) {
            int s1 = Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25);
            int t1 = hh + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i];
            int s0 = Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22);
            int t2 = s0 + ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        hs[0] += a;
        hs[1] += b;
        hs[2] += c;
        hs[3] += d;
        hs[4] += e;
        hs[5] += f;
        hs[6] += g;
        hs[7] += hh;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunningSha256 other && Arrays.equals(h, other.h) && Arrays.equals(tail, other.tail)
                && length == other.length;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(h) + Arrays.hashCode(tail) + Long.hashCode(length);
    }

    @Override
    public String toString() {
        return "RunningSha256[length=" + length + "]";
    }
}
