package dev.offpeak.cli.report;

/** The tasks a report or a progress bar covers: one job id, of one tenant or of every tenant (null). */
public record JobScope(String jobId, String tenant) {
    /** SQL condition on {@code tasks t}; bind with {@link #bind}. */
    static final String WHERE = "t.job_id = ? AND (?::text IS NULL OR t.tenant = ?::text)";

    int bind(java.sql.PreparedStatement ps, int index) throws java.sql.SQLException {
        ps.setString(index, jobId);
        ps.setString(index + 1, tenant);
        ps.setString(index + 2, tenant);
        return index + 3;
    }

    String describe() {
        return "job " + jobId + (tenant == null ? " (every tenant)" : " of tenant " + tenant);
    }
}
