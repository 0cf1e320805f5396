package dev.offpeak.result.provider;

import dev.offpeak.schemas.pricing.Mode;

/**
 * Runs one stored batch line as a synchronous call in flex or sync mode: what the synchronous runner
 * needs of a provider ({@link SyncClient}), so its scheduling can be tested without timing.
 */
@FunctionalInterface
public interface SyncCaller {
    /** The result of {@code line} (a stored provider line, hints applied) run now in {@code mode}. */
    Outcome<SyncClient.Answer> run(String line, String model, Mode mode);
}
