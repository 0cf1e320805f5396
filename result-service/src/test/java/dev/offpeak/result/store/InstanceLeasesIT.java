package dev.offpeak.result.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import dev.offpeak.result.budget.BudgetGate;
import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica's name and its leases, on real PostgreSQL: one live process per name; a name is free the
 * moment its holder's connection is gone; a restarted instance takes its dead run's leases back at
 * once while others wait for the lease to run out; a live replica keeps its leases by heartbeat; and a
 * replica that lost its lease is told so before it calls the provider.
 */
@RealPostgres
class InstanceLeasesIT {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private static final Duration LEASE = Duration.ofSeconds(15);

    private PostgresDatabase database;
    private BatchStore batches;

    @BeforeEach
    void setUp(PostgresDatabase database) {
        this.database = database;
        this.batches = new BatchStore(new Db(database.dataSource()));
    }

    private InstanceIdentity take(String name) throws SQLException {
        return InstanceIdentity.take(database.jdbcUrl(), database.user(), database.password(), name);
    }

    private static final BudgetGate BUDGETS = new BudgetGate(ModelRegistry.loadDefault());

    private void readyBatch(String batchId, String leaseOwner, Instant leaseUntil) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
             var s = c.prepareStatement("""
                     INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, expected_count,
                                          next_attempt_at, lease_owner, lease_until, created_at, updated_at)
                     VALUES (?, 'openai|/v1/chat/completions|gpt-4o-mini|0', 'openai', '/v1/chat/completions',
                             'gpt-4o-mini', 'ready', 1, ?, ?, ?, ?, ?)""")) {
            s.setString(1, batchId);
            s.setTimestamp(2, Timestamp.from(NOW.minusSeconds(60)));
            s.setString(3, leaseOwner);
            s.setTimestamp(4, leaseUntil == null ? null : Timestamp.from(leaseUntil));
            s.setTimestamp(5, Timestamp.from(NOW.minusSeconds(120)));
            s.setTimestamp(6, Timestamp.from(NOW.minusSeconds(120)));
            s.executeUpdate();
        }
    }

    private List<String> claim(String owner) {
        return batches.claim(List.of(PipelineState.READY, PipelineState.SUBMITTING), NOW, owner, LEASE, 20).stream()
                .map(BatchRow::batchId).sorted().toList();
    }

    /** Ends the identity's database session from outside, as a database restart or a dead process would. */
    private void dropIdentitySessions() throws SQLException {
        try (Connection c = database.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'offpeak-result-identity'");
        }
    }

    @Test
    void aSecondLiveProcessUnderTheSameNameIsRefused() throws SQLException {
        try (InstanceIdentity first = take("replica-1"); InstanceIdentity other = take("replica-2")) {
            assertThat(first.holds()).isTrue();
            assertThat(other.holds()).isTrue();
            assertThatThrownBy(() -> take("replica-1")).isInstanceOf(InstanceIdentity.Taken.class)
                    .hasMessage("instance name replica-1 is held by another live result-service process; every"
                            + " replica needs a name of its own");
        }
    }

    @Test
    void aNameIsFreeTheMomentItsHoldersSessionEnds() throws SQLException {
        InstanceIdentity first = take("replica-1");
        first.close();
        try (InstanceIdentity again = take("replica-1")) {
            assertThat(again.holds()).isTrue();
        }
    }

    @Test
    void aRestartedInstanceTakesItsLeasesBackAtOnceWhileAnotherReplicaWaitsForThem() throws SQLException {
        // the dead run of replica-1 had claimed three batches, leased for another 14 s
        for (String id : List.of("b-1", "b-2", "b-3")) {
            readyBatch(id, "replica-1", NOW.plusSeconds(14));
        }
        readyBatch("b-free", null, null);

        assertThat(claim("replica-2")).as("a live replica only gets the unleased batch").containsExactly("b-free");

        try (InstanceIdentity restarted = take("replica-1")) {
            assertThat(batches.takeBack("replica-1")).isEqualTo(3);
            assertThat(claim("replica-1")).containsExactly("b-1", "b-2", "b-3");
        }
    }

    @Test
    void aLiveReplicaKeepsTheLeasesItWorksOnByHeartbeatAndADeadOnesRunOut() throws SQLException {
        readyBatch("b-live", null, null);
        readyBatch("b-dead", null, null);
        BatchStore dead = new BatchStore(new Db(database.dataSource()));
        assertThat(batches.claim(List.of(PipelineState.READY), NOW, "replica-1", LEASE, 1)).hasSize(1);
        assertThat(dead.claim(List.of(PipelineState.READY), NOW, "replica-9", LEASE, 1)).hasSize(1);

        assertThat(batches.renewLeases("replica-1", NOW.plusSeconds(30).plus(LEASE))).isEqualTo(1);

        // 20 s later: replica-9 sent no heartbeat, its lease ran out; replica-1's still holds
        List<String> claimed = batches.claim(List.of(PipelineState.READY), NOW.plusSeconds(20), "replica-2", LEASE, 20)
                .stream().map(BatchRow::batchId).toList();
        assertThat(claimed).hasSize(1).doesNotContain(heldBy("replica-1"));
    }

    @Test
    void aBatchLetGoAfterAFailedRoundIsNotKeptAliveAndRunsOut() throws SQLException {
        readyBatch("b-1", null, null);
        readyBatch("b-2", null, null);
        List<BatchRow> round = batches.claim(List.of(PipelineState.READY), NOW, "replica-1", LEASE, 20);
        assertThat(round).hasSize(2);
        // the round ends on an error after b-1: b-2 is let go, not worked on
        round.forEach(b -> batches.letGo(b.batchId()));

        assertThat(batches.renewLeases("replica-1", NOW.plusSeconds(30).plus(LEASE))).isZero();
        assertThat(batches.claim(List.of(PipelineState.READY), NOW.plus(LEASE).plusSeconds(1), "replica-2", LEASE, 20))
                .extracting(BatchRow::batchId).containsExactlyInAnyOrder("b-1", "b-2");
    }

    private String heldBy(String owner) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT batch_id FROM batches WHERE lease_owner = '" + owner + "'")) {
            return rs.next() ? rs.getString(1) : "none";
        }
    }

    @Test
    void aReplicaWhoseLeaseWasTakenIsToldBeforeItCallsTheProvider() throws SQLException {
        readyBatch("b-1", null, null);
        BatchRow mine = batches.claim(List.of(PipelineState.READY), NOW, "replica-1", LEASE, 20).getFirst();
        // replica-1 stalls past its lease; replica-2 claims the batch
        List<BatchRow> taken = batches.claim(List.of(PipelineState.READY), NOW.plus(LEASE).plusSeconds(1),
                "replica-2", LEASE, 20);
        assertThat(taken).extracting(BatchRow::batchId).containsExactly("b-1");

        assertThat(batches.recordIntent(mine, "replica-1", 0, BUDGETS, NOW)).isEqualTo(BatchStore.Intent.LEASE_LOST);
        assertThat(batches.find("b-1").orElseThrow().state()).isEqualTo(PipelineState.READY);
        assertThat(batches.recordIntent(taken.getFirst(), "replica-2", 0, BUDGETS, NOW)).isEqualTo(BatchStore.Intent.RECORDED);
        assertThat(batches.find("b-1").orElseThrow().state()).isEqualTo(PipelineState.SUBMITTING);
    }

    @Test
    void aLostIdentitySessionIsTakenAgainUnlessAnotherProcessTookTheName() throws SQLException {
        try (InstanceIdentity first = take("replica-1")) {
            dropIdentitySessions();
            assertThat(first.held()).as("the lock is taken again on a new session").isTrue();

            dropIdentitySessions();
            try (InstanceIdentity usurper = take("replica-1")) {
                assertThat(usurper.holds()).isTrue();
                assertThat(first.held()).as("the name went to another process while this one was away").isFalse();
                assertThat(first.holds()).isFalse();
            }
        }
    }
}
