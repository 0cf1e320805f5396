package dev.offpeak.client;

/**
 * Where the broker stored a record it acknowledged.
 *
 * @param key the record key: a task's packing key ({@link OffpeakClient#keyOf}), a job's job_id
 */
public record Sent(String key, String topic, int partition, long offset) {}
