package dev.offpeak.schemas.events;

/**
 * One provider-format line of a pipeline batch; see batch.item.schema.json. {@code line} is the
 * exact JSON text uploaded to the provider (without its newline). {@code prefixFingerprint} is the
 * request's {@link dev.offpeak.schemas.packing.CacheablePrefix} fingerprint ({@code "-"} for none;
 * null from batchers before cache-aware packing) and {@code prefixTokens} the estimate of that prefix.
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
        long prefixTokens) implements BatchRecord {

    public static final String TYPE = "batch.item";

    @Override
    public String type() {
        return TYPE;
    }
}
