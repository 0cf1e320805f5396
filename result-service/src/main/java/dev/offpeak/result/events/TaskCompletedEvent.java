package dev.offpeak.result.events;

/**
 * The {@code task.completed} event of a terminal task, composed in SQL from the task row and its
 * final result (see task.completed.schema.json). Both are immutable once the task is terminal, so
 * every publication carries the same event, with the same {@code event_id}, whichever outbox row
 * (the task's own or its settled batch's) it is published from.
 */
final class TaskCompletedEvent {
    private static final String TS = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'";

    /**
     * The event JSON (text) of task {@code t}, over {@link #JOINS}. Parameters: the inline limit for
     * the provider's body, twice; larger bodies become a {@code response_ref}.
     */
    static final String EVENT = """
            jsonb_strip_nulls(jsonb_build_object(
                        'type', 'task.completed', 'schema_version', 1,
                        'event_id', 'tc-' || t.tenant || '-' || t.task_id,
                        'task_id', t.task_id, 'tenant', t.tenant, 'job_id', t.job_id,
                        'status', t.status, 'request_id', t.request_id, 'duplicate', t.duplicate,
                        'provider', t.provider, 'model', t.model, 'endpoint', t.endpoint,
                        'batch_id', t.result_batch_id, 'provider_batch_id', b.provider_batch_id,
                        'http_status', r.http_status,
                        'response', CASE WHEN octet_length(r.response::text) <= ? THEN r.response END,
                        'response_ref', CASE WHEN r.response IS NOT NULL AND octet_length(r.response::text) > ?
                                             THEN '/v1/tasks/' || t.task_id || '/response' END,
                        'error', CASE WHEN t.error_code IS NOT NULL THEN jsonb_build_object(
                                'code', t.error_code, 'message', coalesce(t.error_message, '')) END,
                        'usage', jsonb_build_object(
                                'input_tokens', coalesce(r.input_tokens, 0),
                                'cached_input_tokens', coalesce(r.cached_input_tokens, 0),
                                'cache_write_5m_tokens', coalesce(r.cache_write_5m_tokens, 0),
                                'cache_write_1h_tokens', coalesce(r.cache_write_1h_tokens, 0),
                                'output_tokens', coalesce(r.output_tokens, 0),
                                'reasoning_tokens', coalesce(r.reasoning_tokens, 0)),
                        'cost_usd', t.cost_usd::text, 'sync_cost_usd', t.sync_cost_usd::text,
                        'saved_usd', t.saved_usd::text, 'price_version', r.price_version,
                        'attempts', coalesce(r.attempt, 0), 'metadata', t.metadata,
                        'submitted_at', to_char(t.submitted_at AT TIME ZONE 'UTC', %1$s),
                        'accepted_at', to_char(t.accepted_at AT TIME ZONE 'UTC', %1$s),
                        'completed_at', to_char(t.completed_at AT TIME ZONE 'UTC', %1$s)))::text""".formatted(TS);

    /** What {@link #EVENT} reads besides the task {@code t}: its final result {@code r} and its batch {@code b}. */
    static final String JOINS = """
            LEFT JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id
            LEFT JOIN batches b ON b.batch_id = t.result_batch_id""";

    private TaskCompletedEvent() {}
}
