package dev.offpeak.ingest.config;

import java.util.List;

/** Start-up configuration is wrong; carries every problem found, one message per bad key. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public ConfigException(List<String> problems) {
        super("Invalid ingest-service configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
