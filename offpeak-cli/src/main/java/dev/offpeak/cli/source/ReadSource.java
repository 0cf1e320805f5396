package dev.offpeak.cli.source;

import dev.offpeak.result.read.JobCounts;
import dev.offpeak.result.read.JobReport;
import dev.offpeak.result.read.Overviews;
import java.time.LocalDate;
import java.util.Optional;

/**
 * Where the reporting commands read: a deployment's read API (tenant-scoped by the token) or a
 * PostgreSQL database (the local stack's, or any given by URL). Both answer with the records of
 * result-service's {@code read} package, built by the same queries, so the printed figures do not
 * depend on the source.
 */
public sealed interface ReadSource extends AutoCloseable permits DatabaseSource, ReadApiSource {
    /** One line naming the source, never a secret: "read API http://host:8082 (tenant acme)". */
    String describe();

    JobCounts progress(String jobId);

    /** The job's cost report; a {@link dev.offpeak.cli.CliException} when the source knows no task of it. */
    JobReport report(String jobId);

    Overviews.Status status();

    Overviews.Tenanted jobs();

    Overviews.Tenanted costs(Overviews.CostsBy by, Optional<LocalDate> since);

    /** Where each active budget stands in its current period: {@link Overviews#budgetTable}'s table. */
    Overviews.Tenanted budgets();

    @Override
    void close();
}
