/**
 * How tasks end and how that is announced, in one place: the one UPDATE that ends tasks
 * ({@link dev.offpeak.result.completion.TaskCompletion}) and its three callers (a settled batch's
 * tasks beside the settlement, {@link dev.offpeak.result.completion.TaskEnding}; a late arrival at
 * intake; the check of settled batches), every outbox write
 * ({@link dev.offpeak.result.completion.OutboxStore}), job completion
 * ({@link dev.offpeak.result.completion.JobCompleter}), the events composed from the contract's
 * records ({@code TaskCompletedEvents}) and the relay that publishes them
 * ({@link dev.offpeak.result.completion.OutboxRelay}).
 */
package dev.offpeak.result.completion;
