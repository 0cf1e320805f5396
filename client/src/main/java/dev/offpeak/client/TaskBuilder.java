package dev.offpeak.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Fluent builder of one task of the client's tenant. Nothing is checked until {@link #build()} or
 * {@link #submit()}, which report every problem at once through {@link InvalidTaskException}.
 */
public final class TaskBuilder {
    private final OffpeakClient client;
    private final String taskId;
    private Provider provider;
    private String model;
    private String endpoint;
    private ObjectNode request;
    private String jobId;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private Boolean dedup;
    private Instant notAfter;
    private RequestedMode mode;

    TaskBuilder(OffpeakClient client, String taskId) {
        this.client = client;
        this.taskId = taskId;
    }

    public TaskBuilder openai(String model, String endpoint) {
        return provider(Provider.OPENAI, model, endpoint);
    }

    public TaskBuilder anthropic(String model) {
        return provider(Provider.ANTHROPIC, model, "/v1/messages");
    }

    public TaskBuilder gemini(String model) {
        return provider(Provider.GEMINI, model, "generateContent");
    }

    public TaskBuilder provider(Provider newProvider, String newModel, String newEndpoint) {
        this.provider = newProvider;
        this.model = newModel;
        this.endpoint = newEndpoint;
        return this;
    }

    /** The provider-native request body, exactly what the synchronous API would take. */
    public TaskBuilder request(ObjectNode body) {
        this.request = body;
        return this;
    }

    /** The request body as JSON text. */
    public TaskBuilder request(String json) {
        try {
            JsonNode node = Json.mapper().readTree(json);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("request must be a JSON object, was " + node.getNodeType());
            }
            return request(object);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public TaskBuilder job(String newJobId) {
        this.jobId = newJobId;
        return this;
    }

    public TaskBuilder metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** {@code false} gives the task an answer of its own even if an identical request exists. */
    public TaskBuilder dedup(boolean enabled) {
        this.dedup = enabled;
        return this;
    }

    public TaskBuilder notAfter(Instant deadline) {
        this.notAfter = deadline;
        return this;
    }

    /**
     * The mode the task asks its line to run in ({@code auto}: the cheapest expected to meet the
     * deadline). Left out, the tenant's or lane's default in result-service decides, else batch. Not
     * part of the request identity: a duplicate of an earlier task shares that task's line and its mode.
     */
    public TaskBuilder mode(RequestedMode requested) {
        this.mode = requested;
        return this;
    }

    /** The task.submitted record, validated; throws {@link InvalidTaskException} listing every problem. */
    public TaskSubmitted build() {
        TaskSubmitted task = new TaskSubmitted(taskId, client.tenant(), jobId, provider, model, endpoint, request,
                metadata, dedup, null, notAfter, client.now(), mode);
        client.check(task);
        return task;
    }

    /** Builds, validates and sends; completes when the broker acknowledged the record. */
    public CompletableFuture<Sent> submit() {
        return client.submit(build());
    }
}
