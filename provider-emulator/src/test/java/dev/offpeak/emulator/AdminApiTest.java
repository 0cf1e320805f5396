package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The /_emulator admin API: faults, batch faults, quotas, counters, clock and reset, all over HTTP. */
class AdminApiTest {
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;
    private TestHttp admin;
    private TestHttp anthropic;

    @BeforeEach
    void start() {
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(
                new EmulatorConfig.Speed(1, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))));
        admin = TestHttp.admin(emu);
        anthropic = TestHttp.anthropic(emu, "k");
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    private String createAnthropic() {
        TestHttp.Resp r = anthropic.post("/v1/messages/batches", AnthropicConformanceTest.body(
                List.of(AnthropicConformanceTest.request("a", "x", 5, null),
                        AnthropicConformanceTest.request("b", "y", 5, null))));
        return r.status() == 200 ? r.json().get("id").asText() : null;
    }

    @Test
    void faultsArmedOverHttpFailTheNextCallsThenStop() {
        assertThat(admin.post("/faults", "{\"provider\":\"anthropic\",\"operation\":\"create\",\"count\":2,"
                + "\"status\":500}").status()).isEqualTo(200);
        assertThat(createAnthropic()).isNull();
        assertThat(createAnthropic()).isNull();
        assertThat(createAnthropic()).isNotNull();
        JsonNode counters = admin.get("/counters").json();
        assertThat(counters.at("/batches_created/anthropic").asLong()).isEqualTo(1);
        assertThat(counters.at("/calls/anthropic.create_batch").asLong()).isEqualTo(3);
        assertThat(counters.at("/batches_created/openai").asLong()).isZero();
    }

    @Test
    void slowFaultAndClearing() {
        admin.post("/faults", "{\"provider\":\"anthropic\",\"operation\":\"list\",\"delay_ms\":250}");
        long t0 = System.nanoTime();
        anthropic.get("/v1/messages/batches");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        admin.post("/faults", "{\"provider\":\"anthropic\",\"operation\":\"list\",\"status\":503}");
        assertThat(admin.delete("/faults").status()).isEqualTo(200);
        assertThat(anthropic.get("/v1/messages/batches").status()).isEqualTo(200);
    }

    @Test
    void batchFaultsAndQuotasOverHttp() {
        admin.post("/batch-faults", "{\"provider\":\"anthropic\",\"kind\":\"all_lines_fail\"}");
        String failing = createAnthropic();
        admin.post("/batch-faults", "{\"provider\":\"anthropic\",\"kind\":\"expire_after_lines\",\"lines\":1}");
        String expiring = createAnthropic();
        admin.post("/clock/advance", "{\"duration\":\"PT1M\"}");
        assertThat(anthropic.get("/v1/messages/batches/" + failing).json().at("/request_counts/errored").asInt()).isEqualTo(2);
        assertThat(anthropic.get("/v1/messages/batches/" + expiring).json().at("/request_counts/expired").asInt()).isEqualTo(1);
        assertThat(admin.post("/quotas", "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"enqueued_tokens\":10}")
                .status()).isEqualTo(200);
        assertThat(emu.faults().enqueuedTokenQuota(Provider.OPENAI, "gpt-4o").getAsLong()).isEqualTo(10);
    }

    @Test
    void clockAdvancesAndResetForgetsEverything() {
        Instant before = emu.now();
        JsonNode c = admin.post("/clock/advance", "{\"seconds\":90}").json();
        assertThat(Instant.parse(c.get("now").asText())).isEqualTo(before.plusSeconds(90));
        assertThat(c.get("manual").asBoolean()).isTrue();
        String id = createAnthropic();
        assertThat(admin.post("/reset", "").status()).isEqualTo(200);
        assertThat(anthropic.get("/v1/messages/batches/" + id).status()).isEqualTo(404);
        assertThat(admin.get("/counters").json().at("/batches_created/anthropic").asLong()).isZero();
    }

    @Test
    void badAdminRequestsAre400WithAReason() {
        TestHttp.Resp r = admin.post("/faults", "{\"provider\":\"openai\",\"operation\":\"nope\",\"status\":500}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).contains("unknown operation 'nope'");
        assertThat(admin.post("/faults", "{\"provider\":\"mistral\",\"operation\":\"get\",\"status\":500}").status())
                .isEqualTo(400);
    }

    @Test
    void systemClockCannotBeAdvanced() {
        try (ProviderEmulator real = ProviderEmulator.start(EmulatorConfig.defaults())) {
            TestHttp.Resp r = TestHttp.admin(real).post("/clock/advance", "{\"seconds\":1}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("error").asText()).contains("ManualClock");
        }
    }
}
