package dev.offpeak.cli;

import dev.offpeak.cli.http.AdminApi;
import dev.offpeak.cli.http.Retry;
import dev.offpeak.cli.local.Endpoints;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where {@code offpeak budgets} reaches result-service's admin API: a deployment's result-service
 * (--read-url or OFFPEAK_READ_URL) with its admin token (--admin-token or OFFPEAK_ADMIN_TOKEN), or by
 * default the local stack's, with the admin token local mode keeps in endpoints.json.
 */
public final class AdminOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--data-dir", defaultValue = ".offpeak",
            description = "Local mode: where endpoints.json is (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--read-url", paramLabel = "URL",
            description = "A deployment's result-service URL; default: $" + DeploymentEnv.READ_URL
                    + ", else the local stack's.")
    String readUrl;

    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "result-service's admin token (OFFPEAK_RESULT_ADMIN_TOKEN); default: $"
                    + DeploymentEnv.ADMIN_TOKEN + ", else the local stack's. Never printed.")
    String adminToken;

    /** The admin API the options name; a usage error (exit 2) for a deployment without an admin token. */
    AdminApi open() {
        String url = DeploymentEnv.option(readUrl, DeploymentEnv.READ_URL);
        String token = DeploymentEnv.option(adminToken, DeploymentEnv.ADMIN_TOKEN);
        if (url == null) {
            Endpoints local = Endpoints.read(dataDir);
            if (token == null && local.adminToken() == null) {
                throw new CliException("the local stack of " + dataDir.toAbsolutePath().normalize()
                        + " has no admin token: restart `offpeak local` (it makes one), or give --admin-token");
            }
            return new AdminApi(local.resultUrl(), token != null ? token : local.adminToken(), Retry.READS);
        }
        if (token == null) {
            throw new ParameterException(mixee.commandLine(), "the admin API at " + url
                    + " needs the admin token: --admin-token or $" + DeploymentEnv.ADMIN_TOKEN);
        }
        return new AdminApi(url, token, Retry.READS);
    }
}
