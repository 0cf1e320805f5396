/**
 * JDBC plumbing of result-service: the pool and Flyway migrations ({@link dev.offpeak.result.db.Database}),
 * a thin helper for queries, updates and transactions ({@link dev.offpeak.result.db.Db}), the binding
 * of Java values to parameters, and {@link dev.offpeak.result.db.DbException}, which wraps every
 * {@code SQLException} the helper sees.
 *
 * <p>No SQL lives here. Each statement sits with the code that owns its table: {@code store} (intake,
 * batches, prices), {@code settle} (results, the settlement of a batch, retries), {@code completion}
 * (ending tasks, every outbox write, jobs), {@code read} (the job report, progress and overview tables,
 * shared by the read API and the CLI) and {@code http.ReadStore} (the read API). Idempotent
 * writes use {@code ON CONFLICT DO NOTHING} rather than catching unique violations. The values of
 * state columns are enums with their database values ({@code store.PipelineState},
 * {@code store.TaskState}, {@code provider.ResultLine.LineOutcome}, {@code completion.OutboxStore.Kind}).
 */
package dev.offpeak.result.db;
