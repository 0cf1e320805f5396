package dev.offpeak.schemas.pricing;

import java.util.List;

/** The price catalog is malformed; the message names every bad entry and field. */
public final class CatalogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public CatalogException(String source, List<String> problems) {
        super("invalid price catalog " + source + ":\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
