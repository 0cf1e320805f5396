package dev.offpeak.schemas.tenants;

import java.util.List;

/** The token file is unreadable or malformed; the message names every bad entry (never a token). */
public final class TokenFileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public TokenFileException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
