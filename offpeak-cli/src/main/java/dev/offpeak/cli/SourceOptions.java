package dev.offpeak.cli;

import dev.offpeak.cli.http.Retry;
import dev.offpeak.cli.local.Endpoints;
import dev.offpeak.cli.source.DatabaseSource;
import dev.offpeak.cli.source.ReadApiSource;
import dev.offpeak.cli.source.ReadSource;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where the reporting commands read: a deployment's read API (--read-url and --token, or
 * OFFPEAK_READ_URL and OFFPEAK_TOKEN), any Offpeak database (--jdbc-url; an analyst's login in role
 * offpeak_analyst is enough for status, jobs and costs), or by default the local stack's database
 * (from endpoints.json).
 */
public final class SourceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--data-dir", defaultValue = ".offpeak",
            description = "Local mode: where endpoints.json is (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--read-url", paramLabel = "URL",
            description = "A deployment's result-service URL (its read API); default: $" + DeploymentEnv.READ_URL + ".")
    String readUrl;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Bearer token for --read-url (it decides the tenant); default: $" + DeploymentEnv.TOKEN
                    + ". Never printed.")
    String token;

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "Read this PostgreSQL database instead.")
    String jdbcUrl;

    @Option(names = "--user", description = "Database user with --jdbc-url; default: $" + DeploymentEnv.DB_USER + ".")
    String user;

    @Option(names = "--password", arity = "0..1", interactive = true,
            description = "Prompt for the database password (default: $" + DeploymentEnv.DB_PASSWORD + ", else none).")
    char[] password;

    /** The source the options name; a usage error (exit 2) when they name two or half of one. */
    ReadSource open() {
        return open(null);
    }

    /**
     * As {@link #open()}; a database source's job reports cover only {@code tenant}'s tasks (null: every
     * tenant's). A tenant with the read API is a usage error: there the token decides.
     */
    ReadSource open(String tenant) {
        String apiUrl = DeploymentEnv.option(readUrl, DeploymentEnv.READ_URL);
        if (jdbcUrl != null) {
            if (readUrl != null) {
                throw usage("--jdbc-url and --read-url name two sources; give one");
            }
            if (token != null) {
                throw usage("--token goes with --read-url, not --jdbc-url");
            }
            char[] secret = password != null ? password
                    : DeploymentEnv.get(DeploymentEnv.DB_PASSWORD).map(String::toCharArray).orElse(null);
            return new DatabaseSource(jdbcUrl, DeploymentEnv.option(user, DeploymentEnv.DB_USER), secret, tenant, null);
        }
        if (apiUrl != null) {
            String bearer = DeploymentEnv.option(token, DeploymentEnv.TOKEN);
            if (bearer == null) {
                throw usage("the read API at " + apiUrl + " needs a token: --token or $" + DeploymentEnv.TOKEN);
            }
            if (tenant != null) {
                throw usage("--tenant is for a database; with the read API the token decides the tenant");
            }
            return new ReadApiSource(apiUrl, bearer, Retry.READS);
        }
        if (token != null) {
            throw usage("--token goes with --read-url (or $" + DeploymentEnv.READ_URL + ")");
        }
        Endpoints local = Endpoints.read(dataDir);
        return new DatabaseSource(local.jdbcUrl(), local.jdbcUser(), null, tenant, "local stack");
    }

    private ParameterException usage(String message) {
        return new ParameterException(mixee.commandLine(), message);
    }
}
