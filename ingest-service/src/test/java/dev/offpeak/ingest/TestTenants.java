package dev.offpeak.ingest;

import dev.offpeak.schemas.tenants.Tenants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A token file with three tenants, for tests. The raw tokens live only here. */
public final class TestTenants {
    /** Any provider and model; no global dedup. */
    public static final String ACME_TOKEN = "acme-secret-token-1";
    /** OpenAI gpt-4o-mini only; opted into global dedup. */
    public static final String GLOBEX_TOKEN = "globex-secret-token-2";
    /** A second tenant with no limits, to test cross-tenant publishing. */
    public static final String INITECH_TOKEN = "initech-secret-token-3";

    private TestTenants() {}

    public static Path write(Path dir) {
        String json = """
                {"tenants": [
                  {"tenant": "acme", "token_sha256": ["%s"]},
                  {"tenant": "globex", "token_sha256": ["%s"], "providers": ["openai"], "models": ["gpt-4o-mini"],
                   "global_dedup": true},
                  {"tenant": "initech", "token_sha256": ["%s"]}
                ]}
                """.formatted(Tenants.sha256Hex(ACME_TOKEN), Tenants.sha256Hex(GLOBEX_TOKEN),
                Tenants.sha256Hex(INITECH_TOKEN));
        try {
            return Files.writeString(dir.resolve("tokens.json"), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
