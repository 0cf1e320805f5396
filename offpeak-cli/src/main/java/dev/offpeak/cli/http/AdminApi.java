package dev.offpeak.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.cli.CliException;
import dev.offpeak.schemas.json.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * result-service's admin API as {@code offpeak budgets} uses it: list, set and disable budgets of any
 * tenant with the admin token. Every call is idempotent, so each is retried like a read. An answer other
 * than the expected one becomes a {@link CliException} with the service's own message (a 400 names the
 * field); the admin token goes into the Authorization header only.
 */
public final class AdminApi {
    private static final String BUDGETS = "/v1/admin/budgets";

    private final ServiceHttp http;

    public AdminApi(String baseUrl, String adminToken, Retry retry) {
        this.http = new ServiceHttp("the admin API", "--read-url", baseUrl, adminToken, retry);
    }

    public URI base() {
        return http.base();
    }

    /** Every active budget's standing (only {@code tenant}'s when not null), as the API answers them. */
    public List<JsonNode> budgets(String tenant) {
        String path = BUDGETS + (tenant == null ? "" : "?tenant=" + ServiceHttp.segment(tenant));
        JsonNode answer = json(call("listing budgets", path, 200, () -> http.get(path)), path);
        List<JsonNode> budgets = new ArrayList<>();
        answer.path("budgets").forEach(budgets::add);
        return budgets;
    }

    /** Creates or replaces budget {@code id} as {@code body} says; its standing afterwards. */
    public JsonNode put(String id, ObjectNode body) {
        String path = BUDGETS + "/" + ServiceHttp.segment(id);
        byte[] bytes = Json.writeBytes(body);
        return json(call("setting budget " + id, path, 200, () -> http.put(path, "application/json", bytes)), path);
    }

    /** Stops applying budget {@code id} of {@code tenant} (its ledger stays). */
    public void disable(String id, String tenant) {
        String path = BUDGETS + "/" + ServiceHttp.segment(id) + "?tenant=" + ServiceHttp.segment(tenant);
        call("disabling budget " + id, path, 204, () -> http.delete(path));
    }

    private ServiceHttp.Answer call(String what, String path, int expected, Supplier<ServiceHttp.Exchange> once) {
        ServiceHttp.Answer answer = http.call(what, once);
        if (answer.status() == expected) {
            return answer;
        }
        if (answer.status() == 401) {
            throw new CliException("the admin API at " + http.base()
                    + " rejected the admin token (401): check --admin-token (or OFFPEAK_ADMIN_TOKEN)");
        }
        throw http.refusal(answer, path, what);
    }

    private JsonNode json(ServiceHttp.Answer answer, String path) {
        JsonNode json = answer.json();
        if (json == null) {
            throw new CliException("the admin API at " + http.base() + " sent an answer to " + path
                    + " this CLI cannot read: is it an Offpeak result-service of the same version?");
        }
        return json;
    }
}
