package dev.offpeak.schemas.pricing;

import java.util.List;

/** The model registry (or an operator's override file) is malformed; the message names every bad entry and field. */
public final class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public RegistryException(String source, List<String> problems) {
        super("invalid model registry " + source + ":\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
