package dev.offpeak.result.poll;

import dev.offpeak.result.provider.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the poller works.
 *
 * @param owner      this replica's lease owner name
 * @param lease      how long a claim is held
 * @param claimLimit batches claimed per round
 * @param schedule   spacing of polls of a running batch (grows from the first interval to the cap)
 * @param retry      spacing after a retryable failure of a poll or download
 * @param quotaWait  wait before resubmitting a batch refused with token_limit_exceeded
 * @param spoolDir   where result files are downloaded before settlement
 */
public record PollSettings(String owner, Duration lease, int claimLimit, RetryPolicy schedule, RetryPolicy retry,
        Duration quotaWait, Path spoolDir) {}
