package dev.offpeak.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {

    @Test
    void replacesTheDatabaseAndKeepsHostsAndParameters() {
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://localhost:5432/postgres?user=x&ssl=false", "t1"))
                .isEqualTo("jdbc:postgresql://localhost:5432/t1?user=x&ssl=false");
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://a:1,b:2/app", "t1")).isEqualTo("jdbc:postgresql://a:1,b:2/t1");
    }

    @Test
    void addsADatabaseWhenTheUrlHasNone() {
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://db", "t1")).isEqualTo("jdbc:postgresql://db/t1");
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://db/?ssl=true", "t1")).isEqualTo("jdbc:postgresql://db/t1?ssl=true");
    }

    @Test
    void rejectsOtherDrivers() {
        assertThatThrownBy(() -> JdbcUrls.withDatabase("jdbc:mysql://db/x", "t1"))
                .hasMessageContaining("must start with jdbc:postgresql://");
    }
}
