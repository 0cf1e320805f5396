package dev.offpeak.cli;

import dev.offpeak.config.EnvReader;
import dev.offpeak.result.config.ResultConfig;
import java.util.Optional;

/**
 * The environment variables that point the CLI at a deployment. Each is the default of an option
 * (the option wins); blank counts as unset. They are read in code rather than as picocli defaults so
 * that {@code --help}, which prints defaults, never shows a token.
 */
final class DeploymentEnv {
    /** ingest-service base URL (submit's --url). */
    static final String URL = "OFFPEAK_URL";
    /** result-service base URL, its read API (--read-url). */
    static final String READ_URL = "OFFPEAK_READ_URL";
    /** The bearer token for both (--token). */
    static final String TOKEN = "OFFPEAK_TOKEN";
    /** result-service's admin token, for {@code offpeak budgets} (--admin-token). */
    static final String ADMIN_TOKEN = "OFFPEAK_ADMIN_TOKEN";
    /** Database login with --jdbc-url: the same variables result-service reads. */
    static final String DB_USER = ResultConfig.DB_USER;
    static final String DB_PASSWORD = ResultConfig.DB_PASSWORD;

    private DeploymentEnv() {}

    static Optional<String> get(String key) {
        return new EnvReader(System.getenv()).raw(key);
    }

    /** The option's value, else the variable's, else null. */
    static String option(String value, String key) {
        return value != null && !value.isBlank() ? value : get(key).orElse(null);
    }
}
