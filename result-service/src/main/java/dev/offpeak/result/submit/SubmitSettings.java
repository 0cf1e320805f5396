package dev.offpeak.result.submit;

import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.util.Map;

/**
 * How the submitter works.
 *
 * @param owner       this replica's lease owner name
 * @param lease       how long a claim is held before another replica may take the batch
 * @param claimLimit  batches claimed per round
 * @param firstPoll   delay from creation to the first poll
 * @param quotaWait   how long a batch waits when its model's enqueued-token quota is full
 * @param clockSkew   margin when matching provider creation times after a crash
 * @param retry       spacing of retries after a retryable failure
 * @param quotas      enqueued-token quota per "provider/model"; absent = unlimited
 */
public record SubmitSettings(String owner, Duration lease, int claimLimit, Duration firstPoll, Duration quotaWait,
        Duration clockSkew, RetryPolicy retry, Map<String, Long> quotas) {

    public SubmitSettings {
        quotas = Map.copyOf(quotas);
    }

    public long quotaTokens(Provider provider, String model) {
        return quotas.getOrDefault(provider.id() + "/" + model, 0L);
    }
}
