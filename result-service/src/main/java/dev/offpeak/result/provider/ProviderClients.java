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

    private ProviderClients(Map<Provider, BatchProviderClient> clients) {
        this.clients = clients;
    }

    /** @param clock the time base for HTTP-date {@code retry-after} hints */
    public static ProviderClients of(Map<Provider, ProviderEndpoint> endpoints, InstantSource clock) {
        Map<Provider, BatchProviderClient> clients = new EnumMap<>(Provider.class);
        endpoints.forEach((provider, endpoint) -> clients.put(provider, create(provider, endpoint, clock)));
        return new ProviderClients(clients);
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

    @Override
    public void close() {
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
