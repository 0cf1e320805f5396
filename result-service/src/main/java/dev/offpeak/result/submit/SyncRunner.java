package dev.offpeak.result.submit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.result.provider.Outcome;
import dev.offpeak.result.provider.ProviderBatch;
import dev.offpeak.result.provider.BatchState;
import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.result.provider.SyncCaller;
import dev.offpeak.result.provider.SyncClient;
import dev.offpeak.result.settle.Settlement;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.BatchStore;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pipeline batch of mode {@code flex} or {@code sync} (a deadline rescue's lines) as
 * synchronous calls, at most {@code concurrency} at a time, then settles it like a batch whose
 * results file holds what the calls answered.
 *
 * <p>Each answer is stored ({@code sync_calls}, with how long the call took, retries included: the
 * history {@code ModeChooser} reads flex / sync turnaround from) the moment its call returns, before the next page
 * of lines starts, so a crash part-way re-runs only the calls that were in flight: a synchronous API
 * has no idempotency key, so those few may be billed twice by the provider (at most
 * {@code concurrency} lines per crash); a line with a stored answer is never called again, and a
 * line that finished in its batch never reaches here (settlement only moves unfinished lines).
 * Every call first asks the {@link SyncThrottle} (the provider's rate limits, as configured and as
 * its answers report them; a 429 pauses the whole provider / model lane).
 * 408 / 429 (flex load shedding) / 5xx are retried with the retry policy's backoff (its
 * {@code Retry-After} honoured, each wait capped at {@value #MAX_WAIT_SECONDS} s); a line still
 * refused after the policy's attempts is settled as a retryable error and goes again in a follow-up
 * batch while its tasks' deadlines allow.
 */
public final class SyncRunner {
    private static final Logger log = LoggerFactory.getLogger(SyncRunner.class);
    static final int MAX_WAIT_SECONDS = 30;
    private static final int PAGE = 500;

    private final BatchStore batches;
    private final Map<Provider, SyncCaller> clients;
    private final Settlement settlement;
    private final RetryPolicy retry;
    private final int concurrency;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final ResultMetrics metrics;
    private SyncThrottle throttle;

    public SyncRunner(BatchStore batches, Map<Provider, ? extends SyncCaller> clients, Settlement settlement,
                      RetryPolicy retry,
                      int concurrency, InstantSource clock, RandomGenerator random, ResultMetrics metrics) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        }
        this.batches = batches;
        this.clients = Map.copyOf(clients);
        this.settlement = settlement;
        this.retry = retry;
        this.concurrency = concurrency;
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
        // rate limits run on the wall clock whatever clock the business runs on
        this.throttle = SyncThrottle.providerHeadersOnly(InstantSource.system());
    }

    /** Keeps calls within these rate limits (by default only what the providers' answers say of theirs). */
    public SyncRunner withThrottle(SyncThrottle throttle) {
        this.throttle = throttle;
        return this;
    }

    /** Whether this runner can run {@code batch}'s lines (a client for its provider is configured). */
    public boolean canRun(BatchRow batch) {
        return clients.containsKey(batch.provider());
    }

    /** Calls every line without a stored answer, then settles the batch. */
    public Settlement.Settled run(BatchRow batch) {
        SyncCaller client = clients.get(batch.provider());
        batches.markSyncStarted(batch.batchId(), clock.instant());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "sync-" + batch.provider().id());
            t.setDaemon(true);
            return t;
        });
        try {
            List<BatchStore.PendingLine> page;
            while (!(page = batches.unansweredLines(batch.batchId(), batch.provider(), PAGE)).isEmpty()) {
                List<Future<?>> calls = new ArrayList<>(page.size());
                for (BatchStore.PendingLine line : page) {
                    calls.add(pool.submit(() -> call(batch, client, line)));
                }
                for (Future<?> f : calls) {
                    f.get();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running batch " + batch.batchId(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a synchronous call of batch " + batch.batchId() + " failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        BatchRow now = batches.find(batch.batchId()).orElse(batch);
        ProviderBatch ran = new ProviderBatch(null, BatchState.COMPLETED, "completed", batch.batchId(),
                now.submittedAt(), now.sentCount(), null, null, null, List.of(), Map.of("mode", batch.mode().name()));
        return settlement.settle(now, ran, null, sink -> batches.syncAnswers(batch.batchId(),
                json -> sink.accept(SyncClient.parse(batch.provider(), json))), clock.instant());
    }

    private void call(BatchRow batch, SyncCaller client, BatchStore.PendingLine line) {
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            long ticket;
            try {
                ticket = throttle.acquire(batch.provider(), batch.model(), line.estimatedTokens(), metrics::syncThrottled);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the rate limit of " + batch.model(), e);
            }
            Outcome<SyncClient.Answer> outcome;
            try {
                outcome = client.run(line.line(), batch.model(), batch.mode());
            } catch (RuntimeException e) {
                throttle.released(batch.provider(), batch.model(), ticket);
                throw e;
            }
            switch (outcome) {
                case Outcome.Ok<SyncClient.Answer> ok -> {
                    throttle.answered(batch.provider(), batch.model(), ticket, ok.value().limits());
                    metrics.syncCall(batch.provider(), batch.mode().id(), "answered");
                    batches.storeSyncAnswer(batch.batchId(), line.requestId(), ok.value().resultLine(), attempt,
                            Duration.ofNanos(System.nanoTime() - started), clock.instant());
                    return;
                }
                case Outcome.Failed<SyncClient.Answer> failed -> {
                    throttle.released(batch.provider(), batch.model(), ticket);
                    // not an answer about the request (e.g. credentials): the batch stays for an operator
                    throw new IllegalStateException(failed.reason());
                }
                case Outcome.RetryLater<SyncClient.Answer> later -> {
                    if (later.httpStatus() == 429) {
                        throttle.refused(batch.provider(), batch.model(), ticket, later.after());
                    } else {
                        throttle.released(batch.provider(), batch.model(), ticket);
                    }
                    if (attempt >= retry.attempts()) {
                        metrics.syncCall(batch.provider(), batch.mode().id(), "gave_up");
                        batches.storeSyncAnswer(batch.batchId(), line.requestId(),
                                gaveUp(batch.provider(), line.requestId(), later.reason()), attempt,
                                Duration.ofNanos(System.nanoTime() - started), clock.instant());
                        return;
                    }
                    metrics.syncCall(batch.provider(), batch.mode().id(), "retried");
                    Duration wait = retry.delayAfter(later, attempt, random);
                    sleep(wait.compareTo(Duration.ofSeconds(MAX_WAIT_SECONDS)) > 0 ? Duration.ofSeconds(MAX_WAIT_SECONDS)
                            : wait);
                }
            }
        }
    }

    /** The results-file line of a request the provider kept refusing with a retryable status. */
    static ObjectNode gaveUp(Provider provider, String requestId, String reason) {
        ObjectNode out = Json.mapper().createObjectNode();
        String message = "still refused after retries: " + reason;
        switch (provider) {
            case OPENAI -> {
                out.put("custom_id", requestId);
                out.putObject("response").put("status_code", 503).putObject("body").putObject("error")
                        .put("code", "sync_unavailable").put("message", message);
            }
            case ANTHROPIC -> {
                out.put("custom_id", requestId);
                out.putObject("result").put("type", "errored").putObject("error").put("type", "error")
                        .putObject("error").put("type", "overloaded_error").put("message", message);
            }
            case GEMINI -> out.put("key", requestId).putObject("error").put("code", 503).put("message", message)
                    .put("status", "UNAVAILABLE");
        }
        return out;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
