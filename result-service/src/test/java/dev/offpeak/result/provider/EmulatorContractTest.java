package dev.offpeak.result.provider;

import dev.offpeak.schemas.events.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * One provider client against the in-process emulator: started once per test class, emulator state
 * reset before each test. Subclasses name the provider and write the contract tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EmulatorContractTest {
    EmulatorFixture fx;
    BatchProviderClient client;

    abstract Provider provider();

    @BeforeAll
    void start() {
        fx = new EmulatorFixture();
        client = fx.client(provider());
    }

    @AfterAll
    void stop() throws Exception {
        fx.close();
    }

    @BeforeEach
    void reset() {
        fx.emulator.reset();
    }

    ProviderBatch poll(ProviderBatch b) {
        return client.get(b.id()).orElseThrow();
    }
}
