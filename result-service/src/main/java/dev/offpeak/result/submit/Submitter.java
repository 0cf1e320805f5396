package dev.offpeak.result.submit;

import dev.offpeak.result.store.PipelineState;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.result.budget.BudgetGate;
import dev.offpeak.result.caching.PromptCaching;
import dev.offpeak.result.provider.BatchProviderClient;
import dev.offpeak.result.provider.BatchSubmission;
import dev.offpeak.result.provider.Outcome;
import dev.offpeak.result.provider.ProviderBatch;
import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.result.settle.Settlement;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.BatchStore;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.Mode;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns ready pipeline batches into provider batches, exactly one each. The intent is committed
 * before the provider is called; any later attempt of the same batch (after a crash, a timeout, a
 * 5xx) first looks for a provider batch that an earlier attempt created and adopts it, so a lost
 * answer never becomes a second provider batch.
 */
public final class Submitter {
    private static final Logger log = LoggerFactory.getLogger(Submitter.class);
    /** How long a batch waits when a budgeted line's task.accepted has not been taken in yet. */
    private static final Duration TASKS_PENDING_WAIT = Duration.ofSeconds(2);

    private final BatchStore batches;
    private final Map<Provider, BatchProviderClient> clients;
    private final Settlement settlement;
    private final SubmitSettings settings;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final ResultMetrics metrics;
    private final CrashPoint crashPoint;
    private final BudgetGate budgets;
    private final PromptCaching caching;
    private SyncRunner syncRunner;
    private ModeChooser modes;

    /** Lets a test stop the submitter dead between the provider's answer and our commit. */
    @FunctionalInterface
    public interface CrashPoint {
        void afterProviderCreated(String batchId, ProviderBatch created);

        CrashPoint NONE = (batchId, created) -> {};
    }

    public Submitter(BatchStore batches, Map<Provider, BatchProviderClient> clients, Settlement settlement,
            BudgetGate budgets, PromptCaching caching, SubmitSettings settings, InstantSource clock,
            RandomGenerator random, ResultMetrics metrics, CrashPoint crashPoint) {
        this.batches = batches;
        this.budgets = budgets;
        this.caching = caching;
        this.clients = Map.copyOf(clients);
        this.settlement = settlement;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
        this.crashPoint = crashPoint;
    }

    /** Runs the flex / sync batches (deadline rescues); without one they wait, visibly. */
    public Submitter withSyncRunner(SyncRunner runner) {
        this.syncRunner = runner;
        return this;
    }

    /** Lanes whose batches run by flex, sync or a mode chosen per batch ({@link ModeChooser}). */
    public Submitter withLaneModes(ModeChooser chooser) {
        this.modes = chooser;
        return this;
    }

    /**
     * Claims the due batches and submits each (a flex / sync one: decides and records its intent, and
     * hands it to {@link #runSynchronousOnce}); returns how many it handled.
     */
    public int submitOnce() {
        return each(batches.claimToSubmit(clock.instant(), settings.owner(), settings.lease(), settings.claimLimit()),
                this::submit);
    }

    /**
     * Claims the due flex / sync batches whose intent is recorded and runs each one's calls to the
     * end ({@link SyncRunner}); returns how many it handled. Its own loop, so a long synchronous batch
     * never holds up batch submissions. The batches of one provider run one after another, earliest
     * task deadline first; those of different providers at the same time (each provider's calls within
     * the runner's concurrency).
     */
    public int runSynchronousOnce() {
        List<BatchRow> due = batches.byEarliestDeadline(batches.claimToRunSynchronously(clock.instant(),
                settings.owner(), settings.lease(), settings.claimLimit()));
        Consumer<BatchRow> run = batch -> runSynchronously(batch, clock.instant());
        Map<Provider, List<BatchRow>> byProvider = due.stream()
                .collect(Collectors.groupingBy(BatchRow::provider, () -> new EnumMap<>(Provider.class), Collectors.toList()));
        if (byProvider.size() <= 1) {
            return each(due, run);
        }
        try (ExecutorService lanes = Executors.newThreadPerTaskExecutor(
                Thread.ofPlatform().name("sync-lane-", 0).daemon().factory())) {
            List<Future<Integer>> runs = new ArrayList<>();
            byProvider.values().forEach(ofProvider -> runs.add(lanes.submit(() -> each(ofProvider, run))));
            int handled = 0;
            for (Future<Integer> r : runs) {
                handled += r.get();
            }
            return handled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return due.size(); // the leases of what did not run run out; another round takes it
        } catch (ExecutionException e) {
            throw new IllegalStateException("a synchronous lane failed", e.getCause());
        } finally {
            due.forEach(batch -> batches.letGo(batch.batchId()));
        }
    }

    private int each(List<BatchRow> due, Consumer<BatchRow> work) {
        try {
            for (BatchRow batch : due) {
                try {
                    work.accept(batch);
                } catch (RuntimeException e) {
                    failed(batch, e); // one batch's failure never holds up the others of the round
                } finally {
                    batches.letGo(batch.batchId());
                }
            }
        } finally {
            due.forEach(batch -> batches.letGo(batch.batchId())); // the rest of a round an error ended
        }
        return due.size();
    }

    private void submit(BatchRow batch) {
        Instant now = clock.instant();
        BatchProviderClient client = clients.get(batch.provider());
        if (client == null) {
            batches.retryLater(batch.batchId(), now.plus(settings.quotaWait()),
                    "no client configured for provider " + batch.provider().id(), now);
            return;
        }
        boolean earlierAttempt = batch.state() == PipelineState.SUBMITTING;
        if (modes != null && batch.state() == PipelineState.READY) {
            batch = batches.chooseMode(batch, modes, now);
        }
        switch (batches.recordIntent(batch, settings.owner(), settings.quotaTokens(batch.provider(), batch.model()),
                budgets, caching, now)) {
            case RECORDED -> { }
            case TASKS_PENDING -> {
                metrics.submitCall(batch.provider(), "tasks_pending");
                batches.retryLater(batch.batchId(), now.plus(TASKS_PENDING_WAIT),
                        "waiting for the tasks of its lines to arrive, to check their budgets", now);
                return;
            }
            case NOTHING_TO_SEND -> {
                metrics.submitCall(batch.provider(), "all_refused");
                log.warn("batch {}: budgets refused all {} lines; nothing was sent", batch.batchId(),
                        batch.expectedCount());
                return;
            }
            case QUOTA_WAIT -> {
                metrics.submitCall(batch.provider(), "quota_wait");
                batches.retryLater(batch.batchId(), now.plus(settings.quotaWait()),
                        "waiting for enqueued-token quota of " + batch.model(), now);
                return;
            }
            case LEASE_LOST -> {
                log.warn("batch {}: another replica holds it now (this one's lease ran out); leaving it",
                        batch.batchId());
                return;
            }
        }
        // the admission may have kept lines back: what is sent is what the row says now
        BatchRow recorded = batches.find(batch.batchId()).orElse(batch);
        if (recorded.mode() != Mode.BATCH) {
            batches.handToSyncRunner(recorded.batchId(), now);
            return;
        }
        if (earlierAttempt && adoptEarlierCreation(recorded, client, now)) {
            return;
        }
        BatchSubmission submission = new BatchSubmission(recorded.submissionKey(), recorded.endpoint(),
                recorded.model(), recorded.sentCount(), recorded.expectedBytes(), batches.lines(recorded.batchId(), recorded.provider()));
        Outcome<ProviderBatch> outcome = client.create(submission);
        switch (outcome) {
            case Outcome.Ok<ProviderBatch> ok -> {
                crashPoint.afterProviderCreated(batch.batchId(), ok.value());
                inFlight(recorded, ok.value(), "created");
            }
            case Outcome.RetryLater<ProviderBatch> retry -> {
                metrics.submitCall(batch.provider(), "retry_later");
                Duration delay = settings.retry().delayAfter(retry, batch.submitAttempts() + 2, random);
                batches.retryLater(batch.batchId(), now.plus(delay), "create: " + retry.reason(), now);
            }
            case Outcome.Failed<ProviderBatch> failed -> refused(batch, failed, now);
        }
    }

    /** A flex / sync batch: its lines are called one by one and the batch settles when all answered. */
    private void runSynchronously(BatchRow batch, Instant now) {
        if (syncRunner == null || !syncRunner.canRun(batch)) {
            batches.retryLater(batch.batchId(), now.plus(settings.quotaWait()), "no synchronous client for provider "
                    + batch.provider().id() + " to run this " + batch.mode().id()
                    + " batch", now);
            return;
        }
        var settled = syncRunner.run(batch);
        metrics.submitCall(batch.provider(), batch.mode().id());
        log.info("batch {} ({} lines) ran {}: {} ({} tasks ended)", batch.batchId(), batch.sentCount(),
                batch.mode().id(), settled.counts(), settled.tasksEnded());
    }

    /**
     * A batch whose submission threw (a database error, a bug): logged, and tried again after the
     * retry cap if the database takes the note; else its lease runs out and it is claimed again.
     */
    private void failed(BatchRow batch, RuntimeException e) {
        log.error("batch {}: submission failed; it is tried again later", batch.batchId(), e);
        metrics.submitCall(batch.provider(), "error");
        Instant now = clock.instant();
        try {
            batches.retryLater(batch.batchId(), now.plus(settings.retry().cap()), "submit: " + e.getMessage(), now);
        } catch (RuntimeException again) {
            log.warn("batch {}: could not record the failure ({}); its lease will run out", batch.batchId(),
                    again.getMessage());
        }
    }

    /** Looks for a provider batch an earlier attempt created; adopts it if found. */
    private boolean adoptEarlierCreation(BatchRow batch, BatchProviderClient client, Instant now) {
        Instant since = (batch.firstSubmitAt() == null ? now : batch.firstSubmitAt()).minus(settings.clockSkew());
        Outcome<Optional<ProviderBatch>> found = client.findCreated(batch.submissionKey(), since,
                batch.sentCount(), batches.providerBatchIds(batch.provider(), since));
        switch (found) {
            case Outcome.Ok<Optional<ProviderBatch>> ok when ok.value().isPresent() -> {
                log.warn("batch {}: adopting provider batch {} created by an earlier attempt", batch.batchId(),
                        ok.value().get().id());
                inFlight(batch, ok.value().get(), "adopted");
                return true;
            }
            case Outcome.Ok<Optional<ProviderBatch>> ok -> {
                return false;
            }
            case Outcome.RetryLater<Optional<ProviderBatch>> retry -> {
                Duration delay = settings.retry().delayAfter(retry, batch.submitAttempts() + 2, random);
                batches.retryLater(batch.batchId(), now.plus(delay), "reconcile: " + retry.reason(), now);
                return true;
            }
            case Outcome.Failed<Optional<ProviderBatch>> failed -> {
                batches.retryLater(batch.batchId(), now.plus(settings.retry().cap()),
                        "reconcile: " + failed.reason(), now);
                return true;
            }
        }
    }

    private void inFlight(BatchRow batch, ProviderBatch created, String how) {
        Instant now = clock.instant();
        batches.markInFlight(batch.batchId(), created, now, now.plus(settings.firstPoll()));
        metrics.submitCall(batch.provider(), how);
        log.info("batch {} ({} lines) is provider batch {} ({})", batch.batchId(), batch.sentCount(),
                created.id(), how);
    }

    /**
     * A permanent refusal. Authentication and permission errors are configuration problems that an
     * operator fixes: the batch waits (visible) rather than failing its tasks. Anything else means
     * the provider will never take these lines: they are settled as errored.
     */
    private void refused(BatchRow batch, Outcome.Failed<ProviderBatch> failed, Instant now) {
        metrics.submitCall(batch.provider(), "failed");
        if (failed.httpStatus() == 401 || failed.httpStatus() == 403) {
            log.error("batch {}: provider {} refused our credentials ({}); waiting for an operator", batch.batchId(),
                    batch.provider().id(), failed.httpStatus());
            batches.retryLater(batch.batchId(), now.plus(settings.retry().cap()), "create: " + failed.reason(), now);
            return;
        }
        log.error("batch {}: provider refused it: {}", batch.batchId(), failed.reason());
        settlement.settle(batch, null, "provider refused the batch: " + failed.reason(), sink -> {}, now);
    }
}
