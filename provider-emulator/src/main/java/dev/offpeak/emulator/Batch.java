package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.BitSet;
import java.util.Optional;

/**
 * One batch of any provider. The immutable part is fixed at create time (from one pass over the
 * input); the mutable part is what callers did to it later (cancel, delete) and its materialized
 * results. Its state at any instant is computed by {@link Timeline}.
 */
public final class Batch {

    /** Facts fixed at create time. */
    public record Spec(String id, Provider provider, Instant createdAt, String model, int lineCount,
                       long promptTokens, Path input, BitSet httpFailures, Optional<Faults.BatchFault> fault,
                       BatchFailure failure, ObjectNode attributes) {
    }

    /** Why the batch failed validation (OpenAI {@code errors}), or null. */
    public record BatchFailure(com.fasterxml.jackson.databind.node.ArrayNode errors) {
    }

    private final Spec spec;
    private volatile Instant cancelRequestedAt;
    private volatile boolean deleted;
    private Results results;

    public Batch(Spec spec) {
        this.spec = spec;
    }

    public Spec spec() {
        return spec;
    }

    public String id() {
        return spec.id();
    }

    public Instant cancelRequestedAt() {
        return cancelRequestedAt;
    }

    /** True when this is the first cancel request (later ones change nothing). */
    synchronized boolean requestCancel(Instant at) {
        if (cancelRequestedAt == null) {
            cancelRequestedAt = at;
            return true;
        }
        return false;
    }

    public boolean deleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
    }

    synchronized Results results() {
        return results;
    }

    synchronized void results(Results r) {
        results = r;
    }

    public boolean allLinesFail() {
        return spec.fault().filter(f -> f instanceof Faults.BatchFault.AllLinesFail).isPresent();
    }

    /** Does line {@code index} (0-based) end with an HTTP-level error (bad params or the all-fail fault)? */
    public boolean lineFails(int index) {
        return allLinesFail() || spec.httpFailures().get(index);
    }
}
