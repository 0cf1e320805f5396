package dev.offpeak.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigKeysTest {
    /** A configuration class as the services write them. */
    static final class Sample {
        public static final String PREFIX = "OFFPEAK_SAMPLE_";
        public static final String PORT = PREFIX + "PORT";
        public static final String HOST = "OFFPEAK_SAMPLE_HOST";
        public static final String NOT_A_KEY = "hello world";
        static final String PACKAGE_PRIVATE = "OFFPEAK_HIDDEN";
    }

    @Test
    void declaredKeysAreThePublicConstantsThatAreWholeKeys() {
        assertThat(ConfigKeys.declared(Sample.class)).containsExactly("OFFPEAK_SAMPLE_HOST", "OFFPEAK_SAMPLE_PORT");
    }

    @Test
    void documentedKeysComeFromTheFirstColumnOfTheSectionsTables() {
        String md = """
                # Sample
                | key | default |
                |---|---|
                | `OFFPEAK_ELSEWHERE` | not this section |

                ## Configuration (environment)

                | key | default | meaning |
                |---|---|---|
                | `OFFPEAK_SAMPLE_HOST`, `OFFPEAK_SAMPLE_PORT` | `0.0.0.0` | see `OFFPEAK_NOT_FIRST_COLUMN` |
                | `OFFPEAK_{OPENAI,GEMINI}_API_KEY` | none | |
                | `OFFPEAK_SAMPLE_KAFKA_<NAME>` | | a family, not a key |

                ## Metrics
                | `OFFPEAK_AFTER` | |
                """;
        assertThat(ConfigKeys.documented(md, "Configuration (environment)")).containsExactly(
                "OFFPEAK_GEMINI_API_KEY", "OFFPEAK_OPENAI_API_KEY", "OFFPEAK_SAMPLE_HOST", "OFFPEAK_SAMPLE_PORT");
    }
}
