package dev.offpeak.schemas.events;

/** Why a task did not succeed: a short code and a readable message. */
public record ErrorInfo(String code, String message) {}
