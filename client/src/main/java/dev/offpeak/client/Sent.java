package dev.offpeak.client;

/** Where the broker stored a record it acknowledged. */
public record Sent(String key, String topic, int partition, long offset) {}
