package dev.offpeak.result.poll;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.Mode;
import java.time.Duration;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * When a batch still running is rescued: the earliest deadline ({@code not_after}) of its open
 * tasks is within {@code buffer} of now. Its provider batch is cancelled; the lines the provider
 * finished settle as usual, and the unfinished ones go again at once by flex where the model has a
 * flex tier, else synchronously at the list price (see docs/lanes.md).
 *
 * @param buffer    how long before the deadline the rescue starts: enough for the provider to cancel
 *                  and for the rescued lines to run; {@link Duration#ZERO} turns rescue off
 * @param providers the providers whose batches are rescued: those whose cancelled batches return the
 *                  results of the lines they finished (OpenAI, Anthropic). A Gemini job cancelled
 *                  returns none [unconfirmed whether it bills them], so re-running its lines could pay
 *                  twice: off by default
 * @param hasFlex   whether a provider's model has a flex tier in the registry
 */
public record Rescue(Duration buffer, Set<Provider> providers, BiPredicate<Provider, String> hasFlex) {
    public static final Duration DEFAULT_BUFFER = Duration.ofMinutes(30);
    public static final Set<Provider> DEFAULT_PROVIDERS = Set.of(Provider.OPENAI, Provider.ANTHROPIC);

    public Rescue {
        providers = Set.copyOf(providers);
    }

    /** No rescue: batches run to their end, and tasks whose deadline passes expire. */
    public static Rescue off() {
        return new Rescue(Duration.ZERO, Set.of(), (p, m) -> false);
    }

    public boolean covers(Provider provider) {
        return !buffer.isZero() && providers.contains(provider);
    }

    /** The mode a rescued line of {@code model} runs in: flex where the model has it, else sync. */
    public Mode modeFor(Provider provider, String model) {
        return hasFlex.test(provider, model) ? Mode.FLEX : Mode.SYNC;
    }
}
