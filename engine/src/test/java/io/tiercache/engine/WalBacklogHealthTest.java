package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health is degraded while L3 lacks writes the WAL holds, even when L3 answers pings (here another process holds
 * SQLite's write lock, so reads work and writes do not), and healthy again once the WAL has drained into L3.
 */
class WalBacklogHealthTest extends EngineTestSupport {

    @Test
    void anEngineWhoseWalHasNotDrainedIsNotHealthy() throws Exception {
        start(SyncEngineConfig.builder().dataDir(dataDir).batchFlushMs(10).sqlLockTimeoutMs(200)
                .sqlRetryBackoffMs(50).build());
        try (Connection locker = openL3()) {
            try (Statement s = locker.createStatement()) {
                s.execute("BEGIN EXCLUSIVE");
            }
            engine.submitWith("held/1", bytes("{}"), SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL))
                    .get(10, TimeUnit.SECONDS);
            engine.forceFlush().get(10, TimeUnit.SECONDS);
            HealthReport degraded = engine.healthCheck();
            assertThat(degraded.walDepth()).isPositive();
            assertThat(degraded.healthy()).as("%s", degraded).isFalse();
            assertThat(degraded.backends().get(Tier.L3)).contains("waiting in the WAL");
            try (Statement s = locker.createStatement()) {
                s.execute("ROLLBACK");
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!engine.healthCheck().healthy() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(engine.healthCheck().healthy()).as("%s", engine.healthCheck()).isTrue();
        assertThat(engine.status("held/1")).isEqualTo(new ItemStatus.Synced(true, false, true));
    }
}
