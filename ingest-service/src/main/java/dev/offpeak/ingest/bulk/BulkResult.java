package dev.offpeak.ingest.bulk;

import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.schemas.validation.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-line outcome of one bulk request, filled from the request thread (rejections) and producer
 * callbacks (acknowledgements) at once. Every non-blank line ends in exactly one list: accepted
 * (the broker acknowledged it), or rejected (bad input, or not sent because Kafka failed).
 * Rejection details are capped so that a file of bad lines cannot grow the answer without bound;
 * the counts stay exact.
 */
public final class BulkResult {
    /** Most rejected lines described in one answer. */
    public static final int MAX_DETAILED_REJECTIONS = 10_000;

    public record AcceptedLine(int line, String taskId) {}

    public record RejectedLine(int line, Rejection rejection) {}

    private final ConcurrentLinkedQueue<AcceptedLine> accepted = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<RejectedLine> rejected = new ConcurrentLinkedQueue<>();
    private final AtomicInteger acceptedCount = new AtomicInteger();
    private final AtomicInteger rejectedCount = new AtomicInteger();
    private final AtomicInteger notSentCount = new AtomicInteger();
    private volatile Rejection kafkaFailure;
    private volatile Rejection readFailure;

    void accept(int line, String taskId) {
        accepted.add(new AcceptedLine(line, taskId));
        acceptedCount.incrementAndGet();
    }

    void reject(int line, Rejection rejection) {
        if (rejection.code() == ErrorCode.KAFKA_UNAVAILABLE) {
            notSentCount.incrementAndGet();
            if (kafkaFailure == null) {
                kafkaFailure = rejection;
            }
        } else {
            rejectedCount.incrementAndGet();
        }
        if (rejected.size() < MAX_DETAILED_REJECTIONS) {
            rejected.add(new RejectedLine(line, rejection));
        }
    }

    void readFailed(Rejection rejection) {
        readFailure = rejection;
    }

    public int acceptedCount() {
        return acceptedCount.get();
    }

    public int rejectedCount() {
        return rejectedCount.get();
    }

    public int notSentCount() {
        return notSentCount.get();
    }

    public boolean truncated() {
        return rejectedCount.get() + notSentCount.get() > rejected.size();
    }

    public List<AcceptedLine> acceptedLines() {
        List<AcceptedLine> lines = new ArrayList<>(accepted);
        lines.sort(Comparator.comparingInt(AcceptedLine::line));
        return lines;
    }

    public List<RejectedLine> rejectedLines() {
        List<RejectedLine> lines = new ArrayList<>(rejected);
        lines.sort(Comparator.comparingInt(RejectedLine::line));
        return lines;
    }

    /**
     * The request-level error, if the answer is not a plain 202: Kafka failed (503, retry the
     * rejected lines), the body broke off (400), nothing at all was sent, or every line was bad (422).
     */
    public Rejection requestError() {
        if (kafkaFailure != null) {
            return new Rejection(ErrorCode.KAFKA_UNAVAILABLE, notSentCount() + " line(s) were not accepted because "
                    + kafkaFailure.message() + "; " + acceptedCount() + " line(s) were acknowledged and are listed"
                    + " in accepted_tasks", List.of());
        }
        if (readFailure != null) {
            return readFailure;
        }
        if (acceptedCount() == 0 && rejectedCount() == 0) {
            return Rejection.of(ErrorCode.EMPTY_BODY, "the body holds no task lines: expected one JSON object per line");
        }
        if (acceptedCount() == 0) {
            return new Rejection(ErrorCode.ALL_LINES_REJECTED, "all " + rejectedCount()
                    + " line(s) were rejected; see rejected_lines", firstProblems());
        }
        return null;
    }

    /** The first rejected lines' problems, each field prefixed with its line, for the error object. */
    private List<Problem> firstProblems() {
        List<Problem> problems = new ArrayList<>();
        for (RejectedLine line : rejectedLines()) {
            String prefix = "line " + line.line();
            if (line.rejection().problems().isEmpty()) {
                problems.add(new Problem(prefix, line.rejection().message()));
            }
            line.rejection().problems().forEach(p -> problems.add(new Problem(prefix + ": " + p.field(), p.message())));
            if (problems.size() >= 100) {
                break;
            }
        }
        return problems;
    }
}
