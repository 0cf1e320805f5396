/**
 * Provider prompt caching done for the user: which lines of a batch get a cache hint
 * ({@link dev.offpeak.result.caching.PromptCaching}, decided in the transaction that records the
 * intent to submit, recorded per line in {@code batch_items.adjustment}) and how a hint is written
 * into the line when it is sent ({@link dev.offpeak.result.caching.LineAdjustment}). The request
 * identity never sees a hint. See docs/caching.md.
 */
package dev.offpeak.result.caching;
