package dev.offpeak.result.poll;

import dev.offpeak.result.store.PipelineState;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.result.provider.BatchProviderClient;
import dev.offpeak.result.provider.Outcome;
import dev.offpeak.result.provider.ProviderBatch;
import dev.offpeak.result.settle.ResultSpool;
import dev.offpeak.result.settle.Settlement;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.BatchStore;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls in-flight provider batches whose next poll is due, on a backoff schedule that stays inside
 * the providers' rate limits; all state is in Postgres, so a restart continues where it stopped.
 * A batch in ANY terminal state is downloaded and settled; {@code token_limit_exceeded} sends the
 * batch back to wait for quota instead.
 */
public final class Poller {
    private static final Logger log = LoggerFactory.getLogger(Poller.class);
    private static final List<PipelineState> DUE_STATES = List.of(PipelineState.IN_FLIGHT);

    private final BatchStore batches;
    private final Map<Provider, BatchProviderClient> clients;
    private final Settlement settlement;
    private final PollSettings settings;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final ResultMetrics metrics;
    private Rescue rescue = Rescue.off();

    public Poller(BatchStore batches, Map<Provider, BatchProviderClient> clients, Settlement settlement,
            PollSettings settings, InstantSource clock, RandomGenerator random, ResultMetrics metrics) {
        this.batches = batches;
        this.clients = Map.copyOf(clients);
        this.settlement = settlement;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
    }

    /** Polls every due batch once; returns how many it polled. */
    public int pollOnce() {
        List<BatchRow> due = batches.claim(DUE_STATES, clock.instant(), settings.owner(), settings.lease(),
                settings.claimLimit());
        try {
            for (BatchRow batch : due) {
                try {
                    poll(batch);
                } catch (RuntimeException e) {
                    // one batch's failure never holds up the others of the round; its lease runs out
                    log.error("batch {}: polling or settling failed; it is tried again later", batch.batchId(), e);
                    metrics.pollCall(batch.provider(), "error");
                } finally {
                    batches.letGo(batch.batchId());
                }
            }
        } finally {
            due.forEach(batch -> batches.letGo(batch.batchId())); // the rest of a round an error ended
        }
        return due.size();
    }

    private void poll(BatchRow batch) {
        Instant now = clock.instant();
        BatchProviderClient client = clients.get(batch.provider());
        Outcome<ProviderBatch> outcome = client.get(batch.providerBatchId());
        switch (outcome) {
            case Outcome.Ok<ProviderBatch> ok when !ok.value().state().terminal() -> {
                metrics.pollCall(batch.provider(), "in_progress");
                Duration wait = settings.schedule().delay(Math.max(2, batch.pollAttempts() + 2), random);
                Instant next = now.plus(wait);
                if (rescue.covers(batch.provider()) && batch.rescueMode() == null) {
                    Optional<Instant> deadline = batches.earliestOpenDeadline(batch.batchId());
                    if (deadline.isPresent()) {
                        Instant rescueAt = deadline.get().minus(rescue.buffer());
                        if (!rescueAt.isAfter(now)) {
                            rescue(batch, client, deadline.get(), now);
                            return;
                        }
                        // look again no later than the moment a rescue would have to start
                        next = next.isAfter(rescueAt) ? rescueAt : next;
                    }
                }
                batches.pollAgain(batch.batchId(), ok.value().providerStatus(), next, now);
            }
            case Outcome.Ok<ProviderBatch> ok when ok.value().tokenLimitExceeded() -> {
                metrics.pollCall(batch.provider(), "token_limit_exceeded");
                log.warn("batch {}: provider batch {} failed with token_limit_exceeded; resubmitting after {}",
                        batch.batchId(), batch.providerBatchId(), settings.quotaWait());
                batches.backToReady(batch.batchId(), "token_limit_exceeded on " + batch.providerBatchId(),
                        now.plus(settings.quotaWait()), now);
            }
            case Outcome.Ok<ProviderBatch> ok -> {
                metrics.pollCall(batch.provider(), "terminal");
                settle(batch, client, ok.value(), now);
            }
            case Outcome.RetryLater<ProviderBatch> retry -> {
                metrics.pollCall(batch.provider(), "retry_later");
                Duration wait = settings.retry().delayAfter(retry, batch.pollAttempts() + 2, random);
                batches.pollError(batch.batchId(), now.plus(wait), "poll: " + retry.reason(), now);
            }
            case Outcome.Failed<ProviderBatch> failed -> {
                metrics.pollCall(batch.provider(), "failed");
                log.error("batch {}: polling {} failed: {}", batch.batchId(), batch.providerBatchId(), failed.reason());
                batches.pollError(batch.batchId(), now.plus(settings.retry().cap()), "poll: " + failed.reason(), now);
            }
        }
    }

    /** Rescues batches whose tasks' deadlines come too close ({@link Rescue}). */
    public Poller withRescue(Rescue rescue) {
        this.rescue = rescue;
        return this;
    }

    /**
     * Cancels the provider batch of a batch whose tasks' deadline is within the rescue buffer, and
     * marks the batch so that its settlement sends the unfinished lines again at once, by flex or
     * synchronously. The cancel is asked first: if it fails the batch is left as it was, and the next
     * poll tries again.
     */
    private void rescue(BatchRow batch, BatchProviderClient client, Instant deadline, Instant now) {
        Mode mode = rescue.modeFor(batch.provider(), batch.model());
        Outcome<ProviderBatch> cancelled = client.cancel(batch.providerBatchId());
        switch (cancelled) {
            case Outcome.Ok<ProviderBatch> ok -> {
                batches.markRescue(batch.batchId(), mode, ok.value().providerStatus(), now);
                metrics.pollCall(batch.provider(), "rescued");
                log.warn("batch {}: a task's deadline {} is within {} and provider batch {} has not ended: cancelled;"
                        + " its unfinished lines go again by {}", batch.batchId(), deadline, rescue.buffer(),
                        batch.providerBatchId(), mode.name().toLowerCase(java.util.Locale.ROOT));
            }
            case Outcome.RetryLater<ProviderBatch> retry -> batches.pollError(batch.batchId(),
                    now.plus(Duration.ofSeconds(10)), "rescue: cancel: " + retry.reason(), now);
            case Outcome.Failed<ProviderBatch> failed -> batches.pollError(batch.batchId(),
                    now.plus(Duration.ofSeconds(10)), "rescue: cancel: " + failed.reason(), now);
        }
    }

    /** Downloads every result line to local disk, then settles the batch in one transaction. */
    private void settle(BatchRow batch, BatchProviderClient client, ProviderBatch terminal, Instant now) {
        try (ResultSpool spool = new ResultSpool(settings.spoolDir())) {
            Outcome<Void> download = client.streamResults(terminal, spool);
            switch (download) {
                case Outcome.Ok<Void> ok -> {
                    long started = System.nanoTime();
                    var settled = settlement.settle(batch, terminal, null, spool::forEach, clock.instant());
                    metrics.settled(batch.provider(), batch.model(), settled,
                            Duration.ofNanos(System.nanoTime() - started));
                    log.info("batch {} settled: {} ({} tasks ended)", batch.batchId(), settled.counts(),
                            settled.tasksEnded());
                }
                case Outcome.RetryLater<Void> retry -> {
                    Duration wait = settings.retry().delayAfter(retry, batch.pollAttempts() + 2, random);
                    batches.retryLater(batch.batchId(), now.plus(wait), "download: " + retry.reason(), now);
                }
                case Outcome.Failed<Void> failed -> batches.retryLater(batch.batchId(),
                        now.plus(settings.retry().cap()), "download: " + failed.reason(), now);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool results of " + batch.batchId(), e);
        }
    }
}
