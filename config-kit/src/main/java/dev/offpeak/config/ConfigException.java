package dev.offpeak.config;

import java.util.List;

/**
 * The configuration of a component is invalid. Carries every problem found, each in the wording
 * of {@link EnvReader#problem}; one problem makes a one-line message, several one per line.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    /** @param component what was being configured, e.g. {@code result-service} */
    public ConfigException(String component, List<String> problems) {
        super(message(component, problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String message(String component, List<String> problems) {
        String head = "Invalid " + component + " configuration:";
        return problems.size() == 1 ? head + " " + problems.get(0) : head + "\n  " + String.join("\n  ", problems);
    }
}
