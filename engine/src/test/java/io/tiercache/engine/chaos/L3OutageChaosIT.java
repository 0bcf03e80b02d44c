package io.tiercache.engine.chaos;

import io.tiercache.engine.Durability;
import io.tiercache.engine.EngineState;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MariaDB (L3) is killed with SIGKILL under a concurrent write load and restarted: every write acknowledged at
 * LOCAL_WAL or DURABLE must end up in L3 with its latest version, reads keep working from L1, and the engine recovers
 * without being restarted.
 */
class L3OutageChaosIT {
    private static final int WRITERS = 4;
    private static final int IDS = 300;
    private static PrivateMariaDb mariadb;

    @TempDir
    Path dir;

    /** The newest acknowledged write per id. */
    private final Map<String, SyncItem> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong failedReads = new AtomicLong();
    private final AtomicLong acknowledgements = new AtomicLong();

    @BeforeAll
    static void startServer() throws Exception {
        mariadb = PrivateMariaDb.start();
        mariadb.createDatabase("chaos");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (mariadb != null) {
            mariadb.close();
        }
    }

    @Test
    void acknowledgedWritesSurviveKillingMariaDbUnderLoad() throws Exception {
        SyncEngineConfig config = SyncEngineConfig.builder()
                .dataDir(dir)
                .sqlUrl(mariadb.jdbcUrl("chaos"))
                .sqlUsername("root")
                // Until a connection attempt times out the engine cannot tell that L3 is gone, and DURABLE writes
                // wait: with the 5 s default the whole 1.5 s outage could pass before the first is journaled.
                .sqlTimeoutMs(500)
                .batchFlushMs(20)
                .sqlRetryBackoffMs(100)
                .build();
        try (SyncEngine engine = SyncEngine.start(config)) {
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<Long>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> writeUntilStopped(engine, writer, running)));
            }
            Thread.sleep(800);
            mariadb.kill9();
            long acknowledgedAtKill = acknowledgements.get();
            Thread.sleep(1500);
            long acknowledgedDuringOutage = acknowledgements.get() - acknowledgedAtKill;
            assertThat(engine.state()).isEqualTo(EngineState.READY);
            assertThat(engine.healthCheck().healthy()).as("health reports the dead L3").isFalse();
            mariadb.restart();
            Thread.sleep(1000);
            running.set(false);
            long writes = 0;
            for (Future<Long> writerResult : writers) {
                writes += writerResult.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            engine.forceFlush().get(60, TimeUnit.SECONDS);
            awaitWalDrained(engine);

            assertThat(acknowledgedDuringOutage).as("LOCAL_WAL/DURABLE writes acknowledged while L3 was dead")
                    .isGreaterThan(100);
            assertThat(writes).isEqualTo(acknowledgements.get());
            assertThat(failedReads.get()).as("reads of just-written ids failed while L3 was down").isZero();
            assertThat(engine.healthCheck().healthy()).isTrue();
            assertEveryAcknowledgedWriteIsInL3();
        }
    }

    private long writeUntilStopped(SyncEngine engine, int writer, AtomicBoolean running) {
        long count = 0;
        while (running.get()) {
            String id = "chaos/" + ((writer * 7919 + count) % IDS);
            Durability durability = count % 2 == 0 ? Durability.LOCAL_WAL : Durability.DURABLE;
            byte[] payload = ("{\"writer\":" + writer + ",\"n\":" + count + "}").getBytes(StandardCharsets.UTF_8);
            SyncItem item = engine.submitWith(id, payload, SubmitOptions.defaults().withDurability(durability)).join();
            acknowledged.merge(id, item, (old, neu) -> neu.version() > old.version() ? neu : old);
            acknowledgements.incrementAndGet();
            if (engine.get(id).isEmpty()) {
                failedReads.incrementAndGet();
            }
            count++;
        }
        return count;
    }

    private static void awaitWalDrained(SyncEngine engine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (engine.stats().walDepth() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(engine.stats().walDepth()).as("WAL entries left after L3 came back").isZero();
    }

    private void assertEveryAcknowledgedWriteIsInL3() throws Exception {
        try (Connection c = DriverManager.getConnection(mariadb.jdbcUrl("chaos"), "root", "");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT version, payload_json FROM sync_items WHERE id = ?")) {
            for (SyncItem item : acknowledged.values()) {
                ps.setString(1, item.id());
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("row for %s", item.id()).isTrue();
                    long version = rs.getLong(1);
                    assertThat(version).as("version of %s", item.id()).isGreaterThanOrEqualTo(item.version());
                    if (version == item.version()) {
                        assertThat(rs.getString(2)).isEqualTo(item.contentAsJson().orElseThrow());
                    }
                }
            }
        }
    }
}
