package io.tiercache.engine.crash;

import io.tiercache.engine.BackpressureException;
import io.tiercache.engine.Durability;
import io.tiercache.engine.HealthReport;
import io.tiercache.engine.ItemStatus;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TierUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * L3 refuses writes while another process holds its SQLite write lock. Writes keep being acknowledged through the
 * local WAL, stay readable, and reach L3 once the lock is released, without restarting the engine.
 */
class L3OutageIT {
    @TempDir
    Path dataDir;
    private SyncEngine engine;
    private Connection locker;

    @BeforeEach
    void startEngine() {
        engine = SyncEngine.start(SyncEngineConfig.builder().dataDir(dataDir).batchFlushMs(10)
                .sqlLockTimeoutMs(200).sqlRetryBackoffMs(50).build());
    }

    @AfterEach
    void stop() throws Exception {
        if (locker != null && !locker.isClosed()) {
            locker.close();
        }
        engine.close();
    }

    private Connection openL3() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("l3.db"));
    }

    /** Takes L3's write lock from another connection, as a second process would. */
    private void lockL3() throws Exception {
        locker = openL3();
        try (Statement s = locker.createStatement()) {
            s.execute("BEGIN EXCLUSIVE");
        }
    }

    private void unlockL3() throws Exception {
        try (Statement s = locker.createStatement()) {
            s.execute("ROLLBACK");
        }
        locker.close();
    }

    private static byte[] payload(String id) {
        return ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesAreJournaledWhileL3IsLockedAndDrainWhenItIsBack() throws Exception {
        engine.submit("before/1", payload("before/1")).join();
        engine.forceFlush().join();
        lockL3();

        Map<String, SyncItem> written = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            Durability durability = i % 2 == 0 ? Durability.LOCAL_WAL : Durability.DURABLE;
            String id = "outage/" + durability + "/" + i;
            SyncItem item = engine.submitWith(id, payload(id), SubmitOptions.defaults().withDurability(durability))
                    .get(5, TimeUnit.SECONDS);
            written.put(id, item);
        }
        SyncItem memoryWrite = engine.submit("outage/memory", payload("outage/memory")).join();
        written.put("outage/memory", memoryWrite);
        assertThat(engine.delete("before/1", Durability.DURABLE).get(5, TimeUnit.SECONDS))
                .isTrue();
        engine.forceFlush().get(5, TimeUnit.SECONDS);

        HealthReport down = engine.healthCheck();
        assertThat(down.walDepth()).as("writes wait in the WAL").isGreaterThanOrEqualTo(written.size());
        assertThat(down.breakers().get(Tier.L3)).isNotEqualTo("CLOSED");
        assertThat(l3Ids()).as("nothing reached L3 yet").containsExactly("before/1");

        engine.clearL1();
        for (Map.Entry<String, SyncItem> entry : written.entrySet()) {
            assertThat(engine.get(entry.getKey()).orElseThrow().payload()).as("%s read from the WAL", entry.getKey())
                    .isEqualTo(entry.getValue().payload());
        }
        assertThat(engine.get("before/1")).as("a journaled delete hides the L3 row").isEmpty();
        assertThat(engine.status("outage/memory")).as("waiting in the WAL is still pending")
                .isEqualTo(new ItemStatus.Pending(memoryWrite.version()));
        assertThat(engine.status("before/1")).isInstanceOf(ItemStatus.Pending.class);

        unlockL3();
        awaitTrue(Duration.ofSeconds(30), () -> engine.healthCheck().walDepth() == 0);

        List<String> expected = new ArrayList<>(written.keySet());
        assertThat(l3Ids()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(engine.healthCheck().breakers().get(Tier.L3)).isEqualTo("CLOSED");
        engine.clearL1();
        for (Map.Entry<String, SyncItem> entry : written.entrySet()) {
            SyncItem stored = engine.getVerified(entry.getKey()).orElseThrow();
            assertThat(stored.version()).isEqualTo(entry.getValue().version());
            assertThat(stored.payload()).isEqualTo(entry.getValue().payload());
        }
        assertThat(engine.countPrefix("outage/")).isEqualTo(written.size());
        assertThat(engine.status("outage/memory")).isEqualTo(new ItemStatus.Synced(true, false, true));
        assertThat(engine.status("before/1")).isEqualTo(new ItemStatus.Missing());
        engine.submitWith("after/1", payload("after/1"), SubmitOptions.defaults().withDurability(Durability.DURABLE))
                .get(5, TimeUnit.SECONDS);
        assertThat(l3Ids()).contains("after/1");
    }

    @Test
    void aFullWalRefusesWritesThatNeedItUntilL3TakesTheBacklog() throws Exception {
        engine.close();
        engine = SyncEngine.start(SyncEngineConfig.builder().dataDir(dataDir).batchFlushMs(10).walMaxItems(5)
                .sqlLockTimeoutMs(100).sqlRetryBackoffMs(50).build());
        lockL3();
        SubmitOptions walWrite = SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL);
        int accepted = 0;
        try {
            for (; accepted < 100; accepted++) {
                engine.submitWith("full/" + accepted, payload("full"), walWrite).get(5, TimeUnit.SECONDS);
            }
        } catch (BackpressureException refused) {
            assertThat(refused).hasMessageContaining("walMaxItems");
        }
        assertThat(accepted).isEqualTo(5);
        engine.forceFlush().get(5, TimeUnit.SECONDS);
        assertThat(engine.shouldAcceptWrites()).isFalse();
        assertThatThrownBy(() -> engine.scanPrefix("full/", 10)).isInstanceOf(TierUnavailableException.class)
                .hasMessageContaining("WAL");
        assertThat(engine.getMany(List.of("full/0", "full/4", "full/5"))).containsOnlyKeys("full/0", "full/4");

        unlockL3();
        awaitTrue(Duration.ofSeconds(30), () -> engine.healthCheck().walDepth() == 0);
        assertThat(engine.shouldAcceptWrites()).isTrue();
        engine.submitWith("full/5", payload("full"), walWrite).get(5, TimeUnit.SECONDS);
        assertThat(engine.scanPrefix("full/", 10)).hasSize(6);
    }

    @Test
    void writesStillJournaledAtShutdownDrainAtTheNextStart() throws Exception {
        engine.submitWith("keep/1", payload("keep/1"), SubmitOptions.durable().withDurability(Durability.DURABLE))
                .get(5, TimeUnit.SECONDS);
        engine.submitWith("gone/1", payload("gone/1"), SubmitOptions.durable().withDurability(Durability.DURABLE))
                .get(5, TimeUnit.SECONDS);
        lockL3();
        SyncItem kept = engine.submitWith("keep/1", payload("keep/1 v2"),
                SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL)).get(5, TimeUnit.SECONDS);
        engine.delete("gone/1", Durability.LOCAL_WAL).get(5, TimeUnit.SECONDS);
        SyncItem queued = engine.submit("queued/1", payload("queued/1")).join();
        engine.shutdown();
        assertThat(l3Ids()).containsExactlyInAnyOrder("keep/1", "gone/1");
        unlockL3();

        engine = SyncEngine.start(engine.config());
        assertThat(engine.healthCheck().walDepth()).isZero();
        assertThat(l3Ids()).containsExactlyInAnyOrder("keep/1", "queued/1");
        assertThat(engine.getVerified("keep/1").orElseThrow().version()).isEqualTo(kept.version());
        assertThat(engine.getVerified("queued/1").orElseThrow().payload()).isEqualTo(queued.payload());
        assertThat(engine.get("gone/1")).isEmpty();
    }

    private List<String> l3Ids() throws Exception {
        try (Connection c = openL3(); PreparedStatement ps = c.prepareStatement("SELECT id FROM sync_items");
             ResultSet rs = ps.executeQuery()) {
            List<String> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }

    /** Waits for the engine's own background drain; polling, because the drain runs on its own thread. */
    private static void awaitTrue(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
