package dev.offpeak.result.provider;

import dev.offpeak.schemas.events.Provider;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * One {@link BatchProviderClient} per configured provider, built once at startup from the
 * endpoints in configuration. Providers without an endpoint have no client (their lanes cannot be
 * submitted); close releases the HTTP clients.
 */
public final class ProviderClients implements AutoCloseable {
    private final Map<Provider, BatchProviderClient> clients;
    private final Map<Provider, SyncClient> syncClients;

    private ProviderClients(Map<Provider, BatchProviderClient> clients, Map<Provider, SyncClient> syncClients) {
        this.clients = clients;
        this.syncClients = syncClients;
    }

    /** @param clock the time base for HTTP-date {@code retry-after} hints */
    public static ProviderClients of(Map<Provider, ProviderEndpoint> endpoints, InstantSource clock) {
        Map<Provider, BatchProviderClient> clients = new EnumMap<>(Provider.class);
        Map<Provider, SyncClient> sync = new EnumMap<>(Provider.class);
        endpoints.forEach((provider, endpoint) -> {
            clients.put(provider, create(provider, endpoint, clock));
            sync.put(provider, new SyncClient(provider, endpoint, clock));
        });
        return new ProviderClients(clients, sync);
    }

    public static BatchProviderClient create(Provider provider, ProviderEndpoint endpoint, InstantSource clock) {
        return switch (provider) {
            case OPENAI -> new OpenAiBatchClient(endpoint, clock);
            case ANTHROPIC -> new AnthropicBatchClient(endpoint, clock);
            case GEMINI -> new GeminiBatchClient(endpoint, clock);
        };
    }

    public Optional<BatchProviderClient> find(Provider provider) {
        return Optional.ofNullable(clients.get(provider));
    }

    /** The client of a configured provider; throws naming the provider when it is not configured. */
    public BatchProviderClient get(Provider provider) {
        return find(provider).orElseThrow(() -> new IllegalStateException(
                "no endpoint configured for provider " + provider));
    }

    /** The synchronous clients (flex and list-price calls), one per configured provider. */
    public Map<Provider, SyncClient> syncClients() {
        return Map.copyOf(syncClients);
    }

    @Override
    public void close() {
        syncClients.values().forEach(SyncClient::close);
        for (BatchProviderClient c : clients.values()) {
            if (c instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // closing an HTTP client does not fail in a way worth stopping shutdown for
                }
            }
        }
    }
}
