package dev.offpeak.schemas.events;

import dev.offpeak.schemas.pricing.RequestedMode;

/**
 * One provider-format line of a pipeline batch; see batch.item.schema.json. {@code line} is the
 * exact JSON text uploaded to the provider (without its newline). {@code prefixFingerprint} is the
 * request's {@link dev.offpeak.schemas.packing.CacheablePrefix} fingerprint ({@code "-"} for none;
 * null from batchers before cache-aware packing) and {@code prefixTokens} the estimate of that prefix.
 * {@code mode} is the mode the line's first task asked for ({@link TaskSubmitted#mode()}; null when it
 * asked none, or from batchers before tasks could ask): duplicates never bring a line of their own,
 * so the line runs as its first task asked.
 */
public record BatchItem(
        String batchId,
        String lane,
        Provider provider,
        String endpoint,
        String model,
        long seq,
        String requestId,
        String taskId,
        String tenant,
        String jobId,
        String line,
        long lineBytes,
        long estimatedTokens,
        int attempt,
        String prefixFingerprint,
        long prefixTokens,
        RequestedMode mode) implements BatchRecord {

    public static final String TYPE = "batch.item";

    @Override
    public String type() {
        return TYPE;
    }
}
