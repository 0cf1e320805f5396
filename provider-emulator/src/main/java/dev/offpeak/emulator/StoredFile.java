package dev.offpeak.emulator;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A file kept on disk by the emulator: uploaded input, or generated output.
 *
 * @param id        the provider-native id ({@code file-…} for OpenAI, {@code files/…} for Gemini)
 * @param filename  OpenAI {@code filename} / Gemini {@code displayName}
 * @param purpose   OpenAI purpose ({@code batch}, {@code batch_output}); Gemini source ({@code UPLOADED}, {@code GENERATED})
 * @param sha256    base64 SHA-256 of the content (Gemini {@code sha256Hash})
 */
public record StoredFile(String id, Provider provider, String filename, String purpose, String mimeType,
                         long bytes, Instant createdAt, Path path, String sha256) {
}
