package dev.offpeak.schemas.tenants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.schemas.events.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantsTest {
    @TempDir
    Path dir;

    private Path file(String json) throws IOException {
        Path f = dir.resolve("tokens.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void tokensAreFoundByTheirHashOnly() throws IOException {
        String hash = Tenants.sha256Hex("secret-token-1");
        Tenants t = Tenants.load(file("{\"tenants\":[{\"tenant\":\"acme\",\"token_sha256\":[\"" + hash
                + "\"],\"providers\":[\"openai\"],\"global_dedup\":true}]}"), "KEY");
        TenantPolicy acme = t.forToken("secret-token-1").orElseThrow();
        assertThat(acme.tenant()).isEqualTo("acme");
        assertThat(acme.allows(Provider.OPENAI)).isTrue();
        assertThat(acme.allows(Provider.GEMINI)).isFalse();
        assertThat(acme.allowsModel("anything")).isTrue();
        assertThat(acme.globalDedup()).isTrue();
        assertThat(t.forToken("wrong")).isEmpty();
    }

    @Test
    void everyProblemIsReportedAndNoTokenIsEchoed() throws IOException {
        Path f = file("""
                {"tenants":[{"tenant":"Bad Name","token_sha256":["sk-raw-token-pasted"]},
                            {"tenant":"ok","token_sha256":[],"providers":["mistral"],"global_dedup":"yes"}]}""");
        assertThatThrownBy(() -> Tenants.load(f, "OFFPEAK_X_TOKEN_FILE"))
                .isInstanceOf(TokenFileException.class)
                .satisfies(e -> assertThat(((TokenFileException) e).problems()).hasSize(5))
                .hasMessageContaining("tenants[0].token_sha256[0]: is not 64 hex characters")
                .hasMessageContaining("tenants[1].token_sha256: must be a non-empty array")
                .hasMessageContaining("tenants[0].tenant")
                .hasMessageContaining("tenants[1].providers: unknown provider \"mistral\"")
                .hasMessageContaining("tenants[1].global_dedup")
                .hasMessageContaining("OFFPEAK_X_TOKEN_FILE")
                .hasMessageNotContaining("sk-raw-token-pasted");
    }
}
