package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Read-only calls against the real providers (list, get of an unknown id): they prove auth headers,
 * paths and parsing without spending anything. Each provider runs only when its key is in the
 * environment and is reported as skipped, with the reason, otherwise.
 */
class LiveProvidersTest {

    private static String keyVariable(Provider p) {
        return switch (p) {
            case OPENAI -> "OPENAI_API_KEY";
            case ANTHROPIC -> "ANTHROPIC_API_KEY";
            case GEMINI -> "GEMINI_API_KEY";
        };
    }

    private static BatchProviderClient live(Provider p) {
        String key = System.getenv(keyVariable(p));
        assumeTrue(key != null && !key.isBlank(), keyVariable(p) + " is not set: live " + p + " test skipped");
        return ProviderClients.create(p, ProviderEndpoint.real(p, key), InstantSource.system());
    }

    private static String unknownId(Provider p) {
        return switch (p) {
            case OPENAI -> "batch_00000000000000000000000000000000";
            case ANTHROPIC -> "msgbatch_01AAAAAAAAAAAAAAAAAAAAAAAA";
            case GEMINI -> "batches/offpeaklivetestdoesnotexist00000000";
        };
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void listingFindsNoBatchForAFreshPipelineId(Provider p) throws Exception {
        BatchProviderClient client = live(p);
        try {
            Outcome<Optional<ProviderBatch>> found = client.findCreated("live-" + UUID.randomUUID(),
                    Instant.now().minus(Duration.ofMinutes(1)), 987_654);
            assertThat(found).isEqualTo(Outcome.ok(Optional.empty()));
        } finally {
            ((AutoCloseable) client).close();
        }
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void unknownBatchIsAPermanentFailureWithoutTheKey(Provider p) throws Exception {
        BatchProviderClient client = live(p);
        try {
            Outcome<ProviderBatch> o = client.get(unknownId(p));
            assertThat(o).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
                assertThat(f.httpStatus()).isBetween(400, 404);
                assertThat(f.reason()).doesNotContain(System.getenv(keyVariable(p)));
            });
        } finally {
            ((AutoCloseable) client).close();
        }
    }
}
