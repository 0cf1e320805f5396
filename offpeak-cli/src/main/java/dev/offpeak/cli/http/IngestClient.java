package dev.offpeak.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.cli.CliException;
import dev.offpeak.cli.http.ServiceHttp.Answer;
import dev.offpeak.cli.http.ServiceHttp.Exchange;
import dev.offpeak.cli.http.ServiceHttp.NoAnswer;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The ingest-service calls the CLI makes: bulk NDJSON, an OpenAI batch input file, and the job
 * seal. An upload is resumed, not repeated: after each answer only the lines ingest did not
 * acknowledge are sent again (the ones it could not hand to Kafka, or every line when the connection
 * dropped before an answer), which is safe because {@code task_id} is the idempotency key: a task
 * sent twice is accepted once downstream. Every failure becomes a {@link CliException} naming the URL.
 */
public final class IngestClient {
    /** A line to send and its number in the caller's file (ingest's answers are mapped back to it). */
    public record Line(int number, String text) {}

    /** Lines sent again and why ("a dropped connection", "ingest could not hand them to Kafka (HTTP 503)"). */
    public record Resend(int lines, String cause) {}

    /**
     * What ingest said about one upload, after any resends: the task ids it acknowledged (each once,
     * in line order), the lines it refused for their content ("line N: reason"), and what was resent.
     */
    public record Upload(List<String> acceptedTaskIds, List<String> rejections, List<Resend> resends) {
        public int accepted() {
            return acceptedTaskIds.size();
        }

        public int rejected() {
            return rejections.size();
        }

        public int resent() {
            return resends.stream().mapToInt(Resend::lines).sum();
        }
    }

    private static final String KAFKA_UNAVAILABLE = "kafka_unavailable";

    private final ServiceHttp http;
    private final Consumer<String> notes;
    /** Whether ingest ever answered this client: if not, giving up says it cannot be reached at all. */
    private boolean answered;

    public IngestClient(String baseUrl, String token) {
        this(baseUrl, token, Retry.SUBMIT, note -> {});
    }

    /** @param notes told each resend as it happens, one line ("resending 2,000 lines after ...") */
    public IngestClient(String baseUrl, String token, Retry retry, Consumer<String> notes) {
        this.http = new ServiceHttp("ingest", "--url", baseUrl, token, retry);
        this.notes = notes;
    }

    public String baseUrl() {
        return http.base().toString();
    }

    /** POST /v1/tasks:bulk with these NDJSON lines, numbered from {@code firstLine}. */
    public Upload bulk(List<String> lines, int firstLine) {
        return bulk(IntStream.range(0, lines.size()).mapToObj(i -> new Line(firstLine + i, lines.get(i))).toList());
    }

    /** POST /v1/tasks:bulk with these task.submitted lines (none blank). */
    public Upload bulk(List<Line> lines) {
        return upload("/v1/tasks:bulk", "application/x-ndjson", lines);
    }

    /**
     * POST /v1/jobs/{job}/openai-batch with lines of an OpenAI batch input file (none blank), every
     * task asking {@code mode} (null: none).
     */
    public Upload openAiBatch(String jobId, RequestedMode mode, List<Line> lines) {
        return upload("/v1/jobs/" + ServiceHttp.segment(jobId) + "/openai-batch" + (mode == null ? "" : "?mode=" + mode.id()),
                "application/jsonl", lines);
    }

    /** POST /v1/jobs/{job}:seal: no more tasks; the batcher flushes the job's open batches. Safe to repeat. */
    public void seal(String jobId, long taskCount) {
        String path = "/v1/jobs/" + ServiceHttp.segment(jobId) + ":seal";
        byte[] body = ("{\"task_count\":" + taskCount + "}").getBytes(StandardCharsets.UTF_8);
        Answer answer = http.call("sealing job " + jobId, () -> http.post(path, "application/json", body,
                Duration.ofSeconds(30)));
        if (answer.status() != 202) {
            throw http.refusal(answer, path, "sealing job " + jobId);
        }
    }

    private Upload upload(String path, String contentType, List<Line> lines) {
        Map<Integer, String> accepted = new LinkedHashMap<>();
        Map<Integer, String> rejected = new LinkedHashMap<>();
        List<Resend> resends = new ArrayList<>();
        List<Line> pending = lines;
        long started = System.nanoTime();
        for (int retried = 0; !pending.isEmpty(); retried++) {
            Exchange exchange = http.post(path, contentType, body(pending), Duration.ofMinutes(2));
            answered |= exchange instanceof Answer;
            List<Line> again;
            String cause;
            Optional<Duration> retryAfter = Optional.empty();
            switch (exchange) {
                case NoAnswer none when none.failure() == ServiceHttp.Failure.UNKNOWN_HOST ->
                        throw http.unreachable(none, retried + 1, started);
                case NoAnswer none -> {
                    again = pending;
                    cause = switch (none.failure()) {
                        case UNREACHABLE -> "ingest could not be reached";
                        case TIMED_OUT -> "ingest did not answer in time";
                        default -> "a dropped connection";
                    };
                }
                case Answer answer when answer.json() != null && answer.json().has("accepted") -> {
                    again = sort(pending, answer.json(), accepted, rejected);
                    cause = answer.status() == 503 ? "ingest could not hand them to Kafka (HTTP 503)"
                            : "ingest read only part of the body (HTTP " + answer.status() + ")";
                    retryAfter = answer.retryAfter();
                }
                case Answer answer when answer.retryable() -> {
                    again = pending;
                    cause = "HTTP " + answer.status() + " from " + http.base();
                    retryAfter = answer.retryAfter();
                }
                case Answer answer -> throw http.refusal(answer, path, "the upload of lines " + span(pending));
            }
            if (again.isEmpty()) {
                break;
            }
            if (retried >= http.retry().retries()) {
                throw giveUp(exchange, again, retried + 1, started);
            }
            Duration wait = http.retry().delay(retried + 1, retryAfter);
            notes.accept(String.format(Locale.ROOT, "resending %s (%s) after %s, in %.1f s (retry %d of %d)",
                    count(again.size()), span(again), cause, wait.toMillis() / 1000.0, retried + 1, http.retry().retries()));
            http.retry().pause(wait);
            resends.add(new Resend(again.size(), cause));
            pending = again;
        }
        return new Upload(accepted.values().stream().distinct().toList(), List.copyOf(rejected.values()),
                List.copyOf(resends));
    }

    /**
     * Files each line of a bulk answer (lines numbered from 1 within the body that was sent) as
     * accepted or rejected for its content, and returns the lines to send again: those ingest could
     * not hand to Kafka, and those the answer does not mention (the body broke off before them).
     */
    private static List<Line> sort(List<Line> sent, JsonNode answer, Map<Integer, String> accepted,
            Map<Integer, String> rejected) {
        boolean[] settled = new boolean[sent.size()];
        for (JsonNode a : answer.path("accepted_tasks")) {
            int i = a.path("line").asInt() - 1;
            if (i >= 0 && i < sent.size()) {
                accepted.put(sent.get(i).number(), a.path("task_id").asText());
                settled[i] = true;
            }
        }
        for (JsonNode r : answer.path("rejected_lines")) {
            int i = r.path("line").asInt() - 1;
            if (i < 0 || i >= sent.size() || KAFKA_UNAVAILABLE.equals(r.path("error").path("code").asText())) {
                continue;
            }
            rejected.put(sent.get(i).number(), "line " + sent.get(i).number() + ": "
                    + r.path("error").path("message").asText(r.path("error").toString()));
            settled[i] = true;
        }
        return IntStream.range(0, sent.size()).filter(i -> !settled[i]).mapToObj(sent::get).toList();
    }

    private CliException giveUp(Exchange last, List<Line> unsent, int attempts, long started) {
        if (!answered && last instanceof NoAnswer none) {
            return http.unreachable(none, attempts, started);
        }
        String what = String.format(Locale.ROOT, "%s (%s) not acknowledged by ingest at %s after %d attempts",
                count(unsent.size()), span(unsent), http.base(), attempts);
        String cause = switch (last) {
            case NoAnswer none -> http.unreachable(none, attempts, started).getMessage();
            case Answer answer -> answer.describe();
        };
        return new CliException(what + " (" + cause + "); running the same command again is safe: task_id makes"
                + " a resent task count once");
    }

    /** "1 line", "2,000 lines". */
    public static String count(int lines) {
        return lines == 1 ? "1 line" : String.format(Locale.ROOT, "%,d lines", lines);
    }

    private static String span(List<Line> lines) {
        return lines.size() == 1 ? "line " + lines.getFirst().number()
                : "lines " + lines.getFirst().number() + "-" + lines.getLast().number();
    }

    private static byte[] body(List<Line> lines) {
        StringBuilder b = new StringBuilder();
        lines.forEach(line -> b.append(line.text()).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
