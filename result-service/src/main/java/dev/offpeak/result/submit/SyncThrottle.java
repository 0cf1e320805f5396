package dev.offpeak.result.submit;

import dev.offpeak.config.NamedEntries;
import dev.offpeak.result.provider.RateLimitHints;
import dev.offpeak.schemas.events.Provider;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Keeps the synchronous calls of each provider and model (a lane) within the provider's rate limits
 * before they are sent, rather than only retrying the 429s after: every call of the synchronous
 * runner asks {@link #acquire} first, and reports how it ended.
 *
 * <p>Three things hold a lane's next call back, and each wait is counted by its cause:
 * <ul>
 *   <li>{@code configured}: the operator's limits ({@code OFFPEAK_RESULT_SYNC_RATE_LIMITS},
 *       {@link #parse}): requests and input tokens per minute, as token buckets (Bucket4j) that hold a
 *       second's share at most ({@code rpm / 60}, rounded up) and refill continuously, so a lane never
 *       bursts a minute's allowance at once (providers enforce limits over shorter periods too). A call
 *       estimated above a second's token share waits for a full token bucket, then takes all it needs
 *       (the bucket goes into debt, which the calls after it wait out), so the rate holds on average.</li>
 *   <li>{@code provider_limit}: what the provider's last answer said ({@link RateLimitHints}: requests and
 *       input tokens remaining, and when the limit is full again); between answers the lane counts the
 *       calls it started since, and what the provider's continuous refill gave back. With nothing known
 *       (Gemini sends no headers; the first calls of a lane) calls go.</li>
 *   <li>{@code retry_after}: a 429 pauses the whole lane for the provider's {@code Retry-After} (1 s
 *       without one), not just the call that got it.</li>
 * </ul>
 * Limits are per replica: replicas sharing one provider account should divide the configured limits
 * between them (the provider's headers, read by each, cover the rest). The throttle runs on the wall
 * clock ({@link InstantSource#system()} in service), never on a test's or the business's virtual clock:
 * the provider's limits refill in real time.
 */
public final class SyncThrottle {
    /** Most a single wait sleeps before the lane is looked at again. */
    static final Duration MAX_SLEEP = Duration.ofSeconds(5);
    /** How long a lane with nothing to go on but calls in flight waits for one of their answers. */
    static final Duration ANSWER_POLL = Duration.ofMillis(50);
    /** Wait without a {@code Retry-After}. */
    static final Duration DEFAULT_PAUSE = Duration.ofSeconds(1);
    private static final Pattern KEY = Pattern.compile("(openai|anthropic|gemini)/([A-Za-z0-9._:@-]+|\\*)");

    /** Requests and input tokens per minute; 0 is no limit of that kind. */
    public record Limit(long requestsPerMinute, long tokensPerMinute) {
        public Limit {
            if (requestsPerMinute < 0 || tokensPerMinute < 0 || requestsPerMinute + tokensPerMinute == 0) {
                throw new IllegalArgumentException("a rate limit needs rpm or tpm above 0");
            }
        }

        @Override
        public String toString() {
            return (requestsPerMinute > 0 ? "rpm:" + requestsPerMinute : "")
                    + (requestsPerMinute > 0 && tokensPerMinute > 0 ? ";" : "")
                    + (tokensPerMinute > 0 ? "tpm:" + tokensPerMinute : "");
        }
    }

    /** Why a call waited. */
    public enum Cause {
        CONFIGURED, PROVIDER_LIMIT, RETRY_AFTER;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What a lane said to a call asking to start: wait, or go with a ticket. */
    sealed interface Take permits Wait, Go {}

    /** How long to wait before asking again, and why. */
    public record Wait(Duration time, Cause cause) implements Take {}

    /** The call may start; its ticket (the lane's calls in the order they started) goes with its end. */
    record Go(long ticket) implements Take {}

    /** Something that wants to know how long calls waited (the runner's metrics). */
    @FunctionalInterface
    public interface WaitListener {
        void waited(Provider provider, Cause cause, Duration time);
    }

    private final Map<String, Limit> limits;
    private final InstantSource clock;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    public SyncThrottle(Map<String, Limit> limits, InstantSource clock) {
        this.limits = Map.copyOf(limits);
        this.clock = clock;
    }

    /** No configured limits: only what the providers' answers say. */
    public static SyncThrottle providerHeadersOnly(InstantSource clock) {
        return new SyncThrottle(Map.of(), clock);
    }

    /**
     * {@code provider/model=rpm:N;tpm:M} and {@code provider/*=...} entries, comma-separated (either
     * of rpm / tpm may be left out); a model's own entry wins over its provider's {@code *}.
     */
    public static Map<String, Limit> parse(String text) {
        return NamedEntries.parse(text, KEY, "provider/model=rpm:N;tpm:M or provider/*=rpm:N;tpm:M", SyncThrottle::limit);
    }

    private static Limit limit(String value) {
        long rpm = 0;
        long tpm = 0;
        for (String part : value.split(";")) {
            String[] p = part.strip().split(":", 2);
            long n;
            try {
                n = p.length == 2 ? Long.parseLong(p[1].strip()) : -1;
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || !(p[0].strip().equals("rpm") || p[0].strip().equals("tpm"))) {
                throw new IllegalArgumentException("'" + part.strip() + "' is not rpm:N or tpm:N with N >= 1");
            }
            if (p[0].strip().equals("rpm")) {
                rpm = n;
            } else {
                tpm = n;
            }
        }
        return new Limit(rpm, tpm);
    }

    /** The configured limit of a lane: its model's entry, else its provider's {@code *}; null if none. */
    Limit limitOf(Provider provider, String model) {
        return limitOf(limits, provider, model);
    }

    /** The limit of {@code provider}'s {@code model} in parsed {@code limits} ({@link #parse}); null if none. */
    static Limit limitOf(Map<String, Limit> limits, Provider provider, String model) {
        Limit own = limits.get(provider.id() + "/" + model);
        return own != null ? own : limits.get(provider.id() + "/*");
    }

    private Lane lane(Provider provider, String model) {
        return lanes.computeIfAbsent(provider.id() + "/" + model, k -> new Lane(limitOf(provider, model), clock));
    }

    /**
     * Blocks until a call of {@code model} estimated at {@code tokens} input tokens may start, then
     * counts it as started and returns its ticket; every acquire must be followed by one of
     * {@link #answered}, {@link #refused} or {@link #released} with that ticket.
     */
    public long acquire(Provider provider, String model, long tokens, WaitListener listener) throws InterruptedException {
        Lane lane = lane(provider, model);
        while (true) {
            Take take = lane.tryTake(clock.instant(), tokens);
            if (!(take instanceof Wait w)) {
                return ((Go) take).ticket();
            }
            Duration sleep = w.time().compareTo(MAX_SLEEP) > 0 ? MAX_SLEEP
                    : w.time().isNegative() || w.time().isZero() ? Duration.ofMillis(1) : w.time();
            listener.waited(provider, w.cause(), sleep);
            Thread.sleep(Math.max(1, sleep.toMillis()));
        }
    }

    /** Takes a call at {@code now} if it may start, or says how long to wait. */
    Take tryAcquire(Provider provider, String model, long tokens, Instant now) {
        return lane(provider, model).tryTake(now, tokens);
    }

    /** What the provider counts per input token this lane estimates, as learned so far (1 at first). */
    double tokenScale(Provider provider, String model) {
        return lane(provider, model).tokenScale();
    }

    /** The call of {@code ticket} ended with the provider's answer, which said this of its limits. */
    public void answered(Provider provider, String model, long ticket, RateLimitHints hints) {
        lane(provider, model).answered(ticket, hints, clock.instant());
    }

    /** The call of {@code ticket} was refused 429: the lane pauses for {@code retryAfter} (or {@link #DEFAULT_PAUSE}). */
    public void refused(Provider provider, String model, long ticket, Duration retryAfter) {
        lane(provider, model).refused(ticket, clock.instant(), retryAfter == null ? DEFAULT_PAUSE : retryAfter);
    }

    /** The call of {@code ticket} ended without telling anything of the limits (5xx, timeout, connection error). */
    public void released(Provider provider, String model, long ticket) {
        lane(provider, model).released(ticket);
    }

    /** One lane's state; every method holds the lane's lock. */
    static final class Lane {
        private final Bucket requests;
        private final Bucket tokens;
        private final long tokensCapacity;
        private final Reported reportedRequests = new Reported();
        private final Reported reportedTokens = new Reported();
        private Instant pausedUntil = Instant.EPOCH;
        /** Tickets of the calls started and not ended, with their estimated input tokens. */
        private final TreeMap<Long, Long> inFlight = new TreeMap<>();
        private long issued;
        /** The ticket whose end last set what the provider reported; an older call's answer is stale. */
        private long newestEnded = -1;
        /** Calls started since the last token reading: when, and their estimated tokens (-1: refused, not counted). */
        private final TreeMap<Long, long[]> started = new TreeMap<>();
        /** The last answer's token reading: its ticket, what was left, and when its call started (epoch nanos). */
        private long[] lastReading;
        /** How much of each observed ratio goes into the token scale; the rest stays (an exponential mean). */
        static final double LEARNING = 0.3;
        static final double MIN_SCALE = 0.5;
        static final double MAX_SCALE = 4;
        static final int MAX_REMEMBERED = 10_000;
        private double tokenScale = 1;

        Lane(Limit limit, InstantSource clock) {
            TimeMeter time = new TimeMeter() {
                @Override
                public long currentTimeNanos() {
                    Instant now = clock.instant();
                    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                }

                @Override
                public boolean isWallClockBased() {
                    return true;
                }
            };
            this.requests = limit == null || limit.requestsPerMinute() == 0 ? null
                    : bucket(limit.requestsPerMinute(), time);
            this.tokens = limit == null || limit.tokensPerMinute() == 0 ? null : bucket(limit.tokensPerMinute(), time);
            this.tokensCapacity = limit == null ? 0 : secondsShare(limit.tokensPerMinute());
        }

        private static long secondsShare(long perMinute) {
            return Math.max(1, (perMinute + 59) / 60);
        }

        private static Bucket bucket(long perMinute, TimeMeter time) {
            return Bucket.builder().withCustomTimePrecision(time)
                    .addLimit(l -> l.capacity(secondsShare(perMinute)).refillGreedy(perMinute, Duration.ofMinutes(1)))
                    .build();
        }

        synchronized Take tryTake(Instant now, long estimatedTokens) {
            if (now.isBefore(pausedUntil)) {
                return new Wait(Duration.between(now, pausedUntil), Cause.RETRY_AFTER);
            }
            long tokensAsked = Math.max(0, estimatedTokens);
            long tokensReported = reportedTokens.limit() > 0 ? Math.min(tokensAsked, reportedTokens.limit()) : tokensAsked;
            Duration reported = longest(reportedRequests.waitFor(1, now, inFlight.size()),
                    reportedTokens.waitFor(tokensReported, now, inFlight.size()));
            if (reported != null) {
                return new Wait(reported, Cause.PROVIDER_LIMIT);
            }
            // a call estimated above the bucket's capacity waits for a full bucket, then takes all it needs: the
            // bucket goes into debt, and the calls after it wait until the refill has paid it back
            long tokensWaited = tokens == null ? 0 : Math.min(tokensAsked, tokensCapacity);
            EstimationProbe r = requests == null ? null : requests.estimateAbilityToConsume(1);
            EstimationProbe t = tokens == null || tokensWaited == 0 ? null : tokens.estimateAbilityToConsume(tokensWaited);
            long nanos = Math.max(r == null || r.canBeConsumed() ? 0 : r.getNanosToWaitForRefill(),
                    t == null || t.canBeConsumed() ? 0 : t.getNanosToWaitForRefill());
            if (nanos > 0) {
                return new Wait(Duration.ofNanos(nanos), Cause.CONFIGURED);
            }
            if (r != null) {
                requests.tryConsume(1);
            }
            if (t != null) {
                tokens.consumeIgnoringRateLimits(tokensAsked);
            }
            reportedRequests.take(1, now);
            reportedTokens.take(tokensReported, now);
            long ticket = issued++;
            inFlight.put(ticket, tokensReported);
            if (started.size() >= MAX_REMEMBERED) {
                started.clear(); // answers without readings for this long: nothing to learn from
                lastReading = null;
            }
            started.put(ticket, new long[] {nanos(now), tokensReported});
            return new Go(ticket);
        }

        private static Duration longest(Duration a, Duration b) {
            return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
        }

        /**
         * What the provider said, if {@code ticket}'s call started after the one whose end last said it (the
         * provider counts a call when it arrives, so a later-started call's answer is the newer state;
         * answers return out of order). Calls started after it and still in flight may not be counted in
         * it yet: they are taken off what it said.
         */
        synchronized void answered(long ticket, RateLimitHints hints, Instant now) {
            inFlight.remove(ticket);
            if (ticket < newestEnded) {
                return;
            }
            newestEnded = ticket;
            Map<Long, Long> later = inFlight.tailMap(ticket, false);
            if (hints.requestsRemaining() >= 0) {
                reportedRequests.update(hints.requestsLimit(), hints.requestsRemaining(), hints.requestsFullAt(), now,
                        later.size());
            } else {
                reportedRequests.forget(); // a provider that says nothing (Gemini): nothing to keep a copy of
            }
            if (hints.tokensRemaining() >= 0) {
                learnTokenScale(ticket, hints);
                reportedTokens.update(hints.tokensLimit(), hints.tokensRemaining(), hints.tokensFullAt(), now,
                        later.values().stream().mapToLong(Long::longValue).sum());
            } else {
                reportedTokens.forget();
                lastReading = null;
                started.headMap(ticket, true).clear();
            }
        }

        /**
         * Between two answers' token readings, the provider took what was left at the first, plus its refill
         * until the second call arrived, less what was left at the second: that, for the calls started between
         * them and not refused (the provider counts a call on arrival, in the order they started), against
         * their estimates, is the ratio of its counting to this lane's. Readings at a full bucket tell nothing.
         */
        private void learnTokenScale(long ticket, RateLimitHints hints) {
            long[] call = started.get(ticket);
            if (call == null) {
                return;
            }
            long[] last = lastReading;
            lastReading = new long[] {ticket, hints.tokensRemaining(), call[0]};
            if (last != null && hints.tokensLimit() > 0 && reportedTokens.perNano() > 0) {
                double before = last[1] + reportedTokens.perNano() * (call[0] - last[2]);
                long estimated = 0;
                for (long[] c : started.subMap(last[0], false, ticket, true).values()) {
                    estimated += Math.max(0, c[1]);
                }
                if (before < hints.tokensLimit() && estimated > 0) {
                    double ratio = (before - hints.tokensRemaining()) / estimated;
                    tokenScale = (1 - LEARNING) * tokenScale + LEARNING * Math.max(MIN_SCALE, Math.min(MAX_SCALE, ratio));
                    reportedTokens.scale(tokenScale);
                }
            }
            started.headMap(ticket, true).clear();
        }

        private static long nanos(Instant t) {
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        }

        synchronized void refused(long ticket, Instant now, Duration retryAfter) {
            inFlight.remove(ticket);
            started.computeIfPresent(ticket, (k, c) -> new long[] {c[0], -1});
            Instant until = now.plus(retryAfter);
            if (until.isAfter(pausedUntil)) {
                pausedUntil = until;
            }
            if (ticket >= newestEnded) {
                // the provider's bucket is empty now (requests, or tokens where it reports them: a 429 does not
                // say which): after the pause, wait for the answers of the calls started since, or let one call
                // find out, rather than send blind again
                newestEnded = ticket;
                Map<Long, Long> later = inFlight.tailMap(ticket, false);
                reportedRequests.emptied(now, later.size());
                if (reportedTokens.known()) {
                    reportedTokens.emptied(now, later.values().stream().mapToLong(Long::longValue).sum());
                }
            }
        }

        synchronized void released(long ticket) {
            inFlight.remove(ticket);
        }

        synchronized double tokenScale() {
            return tokenScale;
        }

        synchronized int inFlight() {
            return inFlight.size();
        }
    }

    /**
     * One limit as the provider reports it, kept as a copy of the provider's token bucket: the level the
     * newest answer said ({@code remaining}, less the calls started after it and still in flight, which it
     * may not have counted yet), refilled at the rate the reset implies ({@code (limit - remaining) /
     * (reset - now)}: the providers refill evenly), capped at the limit, less what this lane takes. What
     * this lane takes is its estimate times {@link #scale}, the ratio of what the provider counted to what
     * the lane estimated, learned from successive answers.
     */
    static final class Reported {
        private boolean known;
        private long limit = -1;
        private double level;
        private double perNano;
        private Instant at;
        private Instant fullAt;
        /**
         * What the provider counts per unit this lane estimates (input tokens: providers count their own
         * way, OpenAI from characters), as the lane learned it; 1 until then.
         */
        private double scale = 1;

        void update(long limit, long remaining, Instant fullAt, Instant now, long startedSince) {
            this.level = remaining - startedSince * scale;
            this.known = true;
            this.limit = limit;
            this.at = now;
            this.fullAt = fullAt;
            if (limit > remaining && fullAt != null && fullAt.isAfter(now)) {
                perNano = (double) (limit - remaining) / Duration.between(now, fullAt).toNanos();
            }
        }

        void scale(double scale) {
            this.scale = scale;
        }

        /** The refill rate per nanosecond, 0 while unknown. */
        double perNano() {
            return perNano;
        }

        boolean known() {
            return known;
        }

        /** The provider's answers say nothing of this limit. */
        void forget() {
            known = false;
        }

        /** A 429 said the provider's bucket is empty now. */
        void emptied(Instant now, long startedSince) {
            level = -startedSince * scale;
            known = true;
            at = now;
            fullAt = null; // an earlier reset is no longer the one to wait for; a known refill rate still holds
        }

        long limit() {
            return limit;
        }

        private void advance(Instant now) {
            if (!known || !now.isAfter(at)) {
                return;
            }
            if (perNano > 0) {
                level += perNano * Duration.between(at, now).toNanos();
                if (limit >= 0 && level > limit) {
                    level = limit;
                }
            } else if (fullAt != null && !now.isBefore(fullAt)) {
                if (limit < 0) {
                    known = false; // full again, of a size not known
                    return;
                }
                level = limit;
            }
            at = now;
        }

        void take(long n, Instant now) {
            advance(now);
            if (known) {
                level -= n * scale;
            }
        }

        /** How long until {@code need} (in this lane's estimate) are free (null: now, or nothing known to wait for). */
        Duration waitFor(long need, Instant now, int inFlight) {
            if (!known || need <= 0) {
                return null;
            }
            advance(now);
            double needed = limit > 0 ? Math.min(limit, need * scale) : need * scale;
            if (!known || level >= needed) {
                return null;
            }
            if (perNano > 0) {
                long nanos = (long) Math.ceil((needed - level) / perNano);
                return Duration.ofNanos(Math.max(1_000_000, nanos));
            }
            if (fullAt != null && now.isBefore(fullAt)) {
                return Duration.between(now, fullAt);
            }
            if (inFlight == 0) {
                level = needed; // nothing in flight will tell us more: let one call find out, the others wait for it
                return null;
            }
            return ANSWER_POLL;
        }
    }
}
