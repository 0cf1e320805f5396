package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.schemas.events.Provider;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProviderEndpointTest {
    @Test
    void toStringNeverShowsTheKey() {
        ProviderEndpoint e = ProviderEndpoint.real(Provider.OPENAI, "sk-secret-123456");
        assertThat(e.toString()).doesNotContain("sk-secret").contains("****").contains("api.openai.com");
    }

    @Test
    void defaultsAreTheRealProviders() {
        assertThat(ProviderEndpoint.real(Provider.ANTHROPIC, "k").baseUrl()).hasToString("https://api.anthropic.com");
        assertThat(ProviderEndpoint.real(Provider.GEMINI, "k").baseUrl())
                .hasToString("https://generativelanguage.googleapis.com");
    }

    @Test
    void trailingSlashIsDropped() {
        var e = new ProviderEndpoint(URI.create("http://localhost:1/openai/v1/"), "k",
                ProviderEndpoint.Timeouts.defaults());
        assertThat(e.resolve("/batches")).hasToString("http://localhost:1/openai/v1/batches");
    }

    @Test
    void badValuesAreReportedAtOnceWithoutTheKey() {
        assertThatThrownBy(() -> new ProviderEndpoint(URI.create("ftp://x"), " ",
                new ProviderEndpoint.Timeouts(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1))))
                .hasMessageContaining("baseUrl").hasMessageContaining("apiKey").hasMessageContaining("timeouts.connect");
    }

    @Test
    void onlyTheConfiguredOriginGetsTheKey() {
        var e = new ProviderEndpoint(URI.create("https://api.anthropic.com"), "k", ProviderEndpoint.Timeouts.defaults());
        assertThat(e.sameOrigin(URI.create("https://api.anthropic.com:443/v1/messages/batches/x/results"))).isTrue();
        assertThat(e.sameOrigin(URI.create("https://evil.example/v1/messages/batches/x/results"))).isFalse();
        assertThat(e.sameOrigin(URI.create("http://api.anthropic.com/x"))).isFalse();
    }
}
