package dev.offpeak.schemas.events;

/** A record on {@code offpeak.batch-items}: a line of a batch, or the marker that closes it. */
public sealed interface BatchRecord extends Event permits BatchItem, BatchClosed {
    String batchId();
}
