package dev.offpeak.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the test class a real PostgreSQL database migrated by Flyway from {@link #migrations()}, with
 * every table but Flyway's history emptied before each test. Declare a {@link PostgresDatabase} or
 * {@link javax.sql.DataSource} parameter to use it. The server is shared by the whole JVM; classes
 * with the same migrations share one database.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PostgresExtension.class)
public @interface RealPostgres {
    /** Flyway locations; empty for a database without migrations. */
    String[] migrations() default {"classpath:db/migration"};

    /** False keeps rows from one test to the next (and from other classes with the same migrations). */
    boolean truncateBeforeEachTest() default true;
}
