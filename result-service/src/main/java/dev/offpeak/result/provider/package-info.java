/**
 * Provider clients of result-service: one {@link dev.offpeak.result.provider.BatchProviderClient} per
 * provider Batch API (shared/providers/*.md), built by
 * {@link dev.offpeak.result.provider.ProviderClients#of} from a
 * {@code Map<Provider, ProviderEndpoint>}.
 *
 * <h2>Calls</h2>
 * <ul>
 *   <li>{@code create}: the lines are spooled to a temp file (never held in the heap) and sent from
 *       it with {@code BodyPublishers.ofFile}: OpenAI multipart upload {@code POST /files}
 *       (file name {@code offpeak-<pipelineBatchId>.jsonl}) then {@code POST /batches} with
 *       {@code metadata.offpeak_batch_id}; Anthropic one {@code {"requests":[...]}} body;
 *       Gemini resumable upload (display name {@code offpeak-<id>}) then
 *       {@code models/{m}:batchGenerateContent} with {@code displayName = offpeak-<id>}.
 *       No create is idempotent: after a RetryLater from the create call itself (a timeout may
 *       have created the batch) callers run {@code findCreated} before creating again.</li>
 *   <li>{@code findCreated}: OpenAI pages {@code GET /batches} (newest first) matching the
 *       metadata, stopping at batches an hour older than {@code notBefore}; Gemini pages every
 *       {@code GET /batches} page (order undocumented) matching the display name; Anthropic has
 *       no metadata: the oldest batch created at or after {@code notBefore} whose request counts
 *       sum to the expected count (a heuristic — confirm by the custom_ids in its results).</li>
 *   <li>{@code streamResults}: only for terminal batches; OpenAI output file then error file
 *       (either may be absent), Anthropic {@code results_url} (used only when it is on the
 *       configured origin), Gemini responses file or inlined responses. Lines the provider does
 *       not return at all (Gemini EXPIRED or CANCELLED jobs return none) are not invented here:
 *       settlement marks what is missing.</li>
 * </ul>
 *
 * <h2>Call classification (HttpCalls, once)</h2>
 * <table>
 *   <caption>HTTP answer → Outcome</caption>
 *   <tr><th>answer</th><th>outcome</th><th>delay</th></tr>
 *   <tr><td>2xx</td><td>Ok</td><td></td></tr>
 *   <tr><td>408, 429, 5xx (incl. Anthropic 529)</td><td>RetryLater(status)</td>
 *       <td>{@code retry-after-ms}, else {@code retry-after} (seconds or HTTP date), else Google
 *       {@code RetryInfo.retryDelay} in {@code error.details}, else null (use the RetryPolicy)</td></tr>
 *   <tr><td>timeout, connection refused/reset, broken transfer, 2xx body that is not JSON</td>
 *       <td>RetryLater(status 0, or the 2xx)</td><td>null</td></tr>
 *   <tr><td>400, 401, 403, 404, 409 (cancel of a terminal batch), 413, 422, other 4xx</td>
 *       <td>Failed(status)</td><td></td></tr>
 *   <tr><td>a result line that is not JSON or lacks its id</td><td>Failed</td><td></td></tr>
 * </table>
 * Gemini answers a wrong key with 400 {@code API_KEY_INVALID}, the others with 401: all Failed.
 * Reasons carry the provider's error type and message; the configured key and anything shaped like
 * a provider key ({@code sk-…}, {@code AIza…}) are replaced by {@code ****}. Keys go only to the
 * configured origin. An exception thrown by the caller's sink, or by the caller's LineSource while
 * spooling, is the caller's own and is rethrown as {@code UncheckedIOException}, not classified.
 *
 * <h2>Batch states</h2>
 * OpenAI {@code validating/in_progress/finalizing/cancelling/completed/failed/expired/cancelled} map
 * one to one; Anthropic {@code in_progress → IN_PROGRESS}, {@code canceling → CANCELLING},
 * {@code ended → ENDED}; Gemini {@code BATCH_STATE_} / {@code JOB_STATE_}{@code PENDING → VALIDATING},
 * {@code RUNNING → IN_PROGRESS}, {@code SUCCEEDED → COMPLETED}, {@code FAILED}, {@code CANCELLED},
 * {@code EXPIRED}. Unknown values map to IN_PROGRESS: polling on is safe, settling a running batch is
 * not. {@code tokenLimitExceeded()}: OpenAI failed batch with {@code errors.data[].code =
 * token_limit_exceeded}; a Gemini job FAILED with RESOURCE_EXHAUSTED is reported with that code too
 * (Gemini usually refuses at create with 429, which is RetryLater).
 *
 * <h2>Result lines</h2>
 * <table>
 *   <caption>line → LineOutcome, retryable</caption>
 *   <tr><th>provider</th><th>line</th><th>outcome</th><th>retryable</th></tr>
 *   <tr><td>OpenAI</td><td>{@code response.status_code} 2xx</td><td>SUCCEEDED</td><td>-</td></tr>
 *   <tr><td>OpenAI</td><td>{@code response.status_code} 408 / 429 / 5xx</td><td>ERRORED</td><td>yes</td></tr>
 *   <tr><td>OpenAI</td><td>{@code response.status_code} other 4xx</td><td>ERRORED</td><td>no</td></tr>
 *   <tr><td>OpenAI</td><td>{@code error.code} batch_expired / batch_cancelled</td><td>EXPIRED / CANCELLED</td><td>yes</td></tr>
 *   <tr><td>OpenAI</td><td>{@code error.code} request_timeout</td><td>ERRORED</td><td>yes</td></tr>
 *   <tr><td>OpenAI</td><td>{@code error.code} anything else</td><td>ERRORED</td><td>no</td></tr>
 *   <tr><td>Anthropic</td><td>succeeded</td><td>SUCCEEDED (httpStatus 200)</td><td>-</td></tr>
 *   <tr><td>Anthropic</td><td>errored, inner type invalid_request_error</td><td>ERRORED</td><td>no</td></tr>
 *   <tr><td>Anthropic</td><td>errored, any other inner type (api_error, overloaded_error,
 *       rate_limit_error, ...)</td><td>ERRORED</td><td>yes</td></tr>
 *   <tr><td>Anthropic</td><td>canceled / expired</td><td>CANCELLED / EXPIRED</td><td>yes</td></tr>
 *   <tr><td>Gemini</td><td>{@code response}</td><td>SUCCEEDED (httpStatus 200)</td><td>-</td></tr>
 *   <tr><td>Gemini</td><td>{@code error.code} 429 / 500 / 503 / 504</td><td>ERRORED (httpStatus = code)</td><td>yes</td></tr>
 *   <tr><td>Gemini</td><td>{@code error.code} anything else</td><td>ERRORED</td><td>no</td></tr>
 * </table>
 *
 * <h2>Usage (UsageNormaliser): every token class billed once</h2>
 * <ul>
 *   <li>OpenAI chat / completions: input = {@code prompt_tokens - prompt_tokens_details.cached_tokens},
 *       cached = {@code cached_tokens}, output = {@code completion_tokens -
 *       completion_tokens_details.reasoning_tokens}, reasoning = {@code reasoning_tokens}.</li>
 *   <li>OpenAI responses: the same with {@code input_tokens}, {@code input_tokens_details.cached_tokens},
 *       {@code output_tokens}, {@code output_tokens_details.reasoning_tokens}.</li>
 *   <li>OpenAI embeddings: input = {@code prompt_tokens}.</li>
 *   <li>Anthropic: input = {@code input_tokens} (already uncached), cached =
 *       {@code cache_read_input_tokens}, cache writes = {@code cache_creation.ephemeral_5m_input_tokens}
 *       / {@code ephemeral_1h_input_tokens}, or {@code cache_creation_input_tokens} as 5m when the split
 *       is absent; output = {@code output_tokens} (thinking included, billed as output); reasoning 0.</li>
 *   <li>Gemini: input = {@code promptTokenCount - cachedContentTokenCount + toolUsePromptTokenCount},
 *       cached = {@code cachedContentTokenCount}, output = {@code candidatesTokenCount}, reasoning =
 *       {@code thoughtsTokenCount}; int64 strings accepted, absent fields are 0.</li>
 * </ul>
 * Failed, expired and cancelled lines carry {@code Usage.ZERO} (not billed).
 *
 * <h2>Retries</h2>
 * The clients never loop. {@link dev.offpeak.result.provider.RetryPolicy} is a value the submitter and
 * poller use to schedule the next attempt: the provider's hint when there is one, else exponential
 * backoff with jitter from an injected random source, capped.
 */
package dev.offpeak.result.provider;
