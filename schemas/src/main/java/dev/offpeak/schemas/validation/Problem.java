package dev.offpeak.schemas.validation;

/**
 * One thing wrong with an input: the field in dotted form ({@code request.messages},
 * {@code request.messages[0].role}; {@code $} for the whole document) and what is wrong with it.
 */
public record Problem(String field, String message) {
    public static final String ROOT = "$";

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
