package dev.offpeak.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvReaderTest {
    @Test
    void aBlankValueIsUnsetAndGetsTheDefault() {
        EnvReader r = new EnvReader(Map.of("A", "  ", "B", "", "C", " 7 "));
        assertThat(r.string("A", "dflt")).isEqualTo("dflt");
        assertThat(r.duration("B", Duration.ofSeconds(3), Duration.ZERO)).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.longValue("C", 1, 0, 10)).isEqualTo(7);
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void everyBadValueIsReportedOnceWithKeyAndValue() {
        EnvReader r = new EnvReader(Map.of("N", "x", "LOW", "0", "D", "30", "SHORT", "5ms", "LONG", "2h",
                "F", "0.9", "S", "lots", "M", "a=1,b,c=99", "U", "localhost"));
        r.longValue("N", 1, 0, 10);
        r.intValue("LOW", 1, 1, 10);
        r.duration("D", Duration.ZERO, Duration.ZERO);
        r.duration("SHORT", Duration.ZERO, Duration.ofMillis(10));
        r.duration("LONG", Duration.ZERO, Duration.ZERO, Duration.ofHours(1));
        r.fraction("F", 0.1, 0, 0.5);
        r.bytes("S", 1, 1);
        assertThat(r.longMap("M", 1, 10)).containsExactly(Map.entry("a", 1L));
        assertThat(r.url("U", URI.create("http://x"))).isEqualTo(URI.create("http://x"));
        r.required("MISSING");

        assertThat(r.problems()).containsExactly(
                "Invalid value x for N: must be a whole number",
                "Invalid value 0 for LOW: must be >= 1",
                "Invalid value 30 for D: must be " + Durations.GRAMMAR,
                "Invalid value 5ms for SHORT: must be >= 10ms",
                "Invalid value 2h for LONG: must be <= 1h",
                "Invalid value 0.9 for F: must be between 0.0 and 0.5",
                "Invalid value lots for S: must be a size such as 200MB, 256MiB or 2000000000",
                "Invalid value a=1,b,c=99 for M: entry 'b' must be name=number with a number between 1 and 10",
                "Invalid value a=1,b,c=99 for M: entry 'c=99' must be name=number with a number between 1 and 10",
                "Invalid value localhost for U: must be an absolute http(s) URL",
                "Invalid value (unset) for MISSING: required");
    }

    @Test
    void theExceptionListsEveryProblemAndIsOneLineForOne() {
        EnvReader one = new EnvReader(Map.of("P", "-1"));
        one.intValue("P", 0, 0, 65535);
        assertThatThrownBy(() -> one.throwIfProblems("demo")).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid demo configuration: Invalid value -1 for P: must be >= 0");

        EnvReader two = new EnvReader(Map.of("P", "-1", "Q", "x"));
        two.intValue("P", 0, 0, 65535);
        two.intValue("Q", 0, 0, 65535);
        assertThatThrownBy(() -> two.throwIfProblems("demo")).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).hasSize(2);
            assertThat(e.getMessage()).isEqualTo("Invalid demo configuration:\n  Invalid value -1 for P: must be >= 0"
                    + "\n  Invalid value x for Q: must be a whole number");
        });
        new EnvReader(Map.of()).throwIfProblems("demo");
    }

    @Test
    void sizesTakeDecimalAndBinaryUnits() {
        EnvReader r = new EnvReader(Map.of("A", "200MB", "B", "2KiB", "C", "1234"));
        assertThat(r.bytes("A", 0, 0)).isEqualTo(200_000_000L);
        assertThat(r.bytes("B", 0, 0)).isEqualTo(2048L);
        assertThat(r.bytes("C", 0, 0)).isEqualTo(1234L);
    }
}
