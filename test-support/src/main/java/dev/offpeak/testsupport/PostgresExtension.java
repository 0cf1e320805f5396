package dev.offpeak.testsupport;

import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The server lives in the root store (one per JVM, closed when the test run ends); the class's database
 * in the class store. Tables are emptied before each test rather than after, so a failed test's rows are
 * still there to look at and the next test starts clean regardless.
 */
public final class PostgresExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        database(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (settings(context).truncateBeforeEachTest()) {
            database(context).truncateAllTables();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == PostgresDatabase.class || type == DataSource.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        PostgresDatabase database = database(extensionContext);
        return parameterContext.getParameter().getType() == DataSource.class ? database.dataSource() : database;
    }

    private static PostgresDatabase database(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(PostgresDatabase.class,
                key -> databases(context).forMigrations(List.of(settings(context).migrations())), PostgresDatabase.class);
    }

    private static PostgresDatabases databases(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(PostgresDatabases.class, key -> {
            try {
                return new PostgresDatabases(PostgresServers.start(TestInfra.mode(), System.getenv()));
            } catch (Exception e) {
                throw new ExtensionConfigurationException("Could not start PostgreSQL", e);
            }
        }, PostgresDatabases.class);
    }

    private static RealPostgres settings(ExtensionContext context) {
        return Annotations.onClassOrEnclosing(context.getRequiredTestClass(), RealPostgres.class)
                .orElseThrow(() -> new ExtensionConfigurationException(
                        "PostgresExtension needs @RealPostgres on " + context.getRequiredTestClass().getName()));
    }
}
