package io.tiercache.engine.chaos;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncOptions;
import io.tiercache.engine.SyncReport;
import io.tiercache.engine.Tier;
import io.tiercache.engine.redis.SharedRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconciliation with the ground truth down: a private MariaDB (L3) is killed, and {@code sync()} skips, says why
 * and leaves the engine marked stale instead of repairing L2 from nothing; writes meanwhile go to the WAL, and a sync
 * waits until the WAL has drained into the restarted L3, then completes with both roots equal.
 */
class MerkleSyncL3OutageIT {
    @TempDir
    Path dir;
    private final SharedRedis redis = new SharedRedis();
    private PrivateMariaDb mariadb;

    @AfterEach
    void stop() throws Exception {
        PrivateServers.closeAll(mariadb, redis);
    }

    @Test
    void withL3DownASyncIsSkippedAndReportedStaleThenCompletesOnceL3IsBack() throws Exception {
        mariadb = PrivateMariaDb.start();
        mariadb.createDatabase("merkle");
        SyncEngineConfig config = SyncEngineConfig.builder().dataDir(dir).sqlUrl(mariadb.jdbcUrl("merkle"))
                .sqlUsername("root").sqlTimeoutMs(500).sqlRetryBackoffMs(100).batchFlushMs(20)
                .redisUrl(SharedRedis.URL).redisPrefix(redis.prefix()).merkleSyncIntervalMs(0).build();
        try (SyncEngine engine = SyncEngine.start(config)) {
            for (int i = 0; i < 50; i++) {
                engine.submit("users/" + i, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            engine.forceFlush().join();
            assertThat(engine.isMerkleSynced("users")).isTrue();

            mariadb.kill9();
            SyncReport down = engine.sync(SyncOptions.defaults());
            assertThat(down.skipped()).as(down.toString()).isTrue();
            assertThat(down.complete()).isFalse();
            assertThat(down.errors()).anyMatch(line -> line.contains("L3"));
            assertThat(engine.lastSyncReport().orElseThrow().complete()).as("stale until a run completes").isFalse();

            engine.submit("users/during-outage", "{}".getBytes(StandardCharsets.UTF_8));
            engine.forceFlush().get(30, TimeUnit.SECONDS);
            SyncReport behind = engine.sync(SyncOptions.defaults());
            assertThat(behind.skipped()).isTrue();
            assertThat(behind.errors()).anyMatch(line -> line.contains("WAL"));

            mariadb.restart();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            SyncReport back = engine.sync(SyncOptions.defaults());
            while (!back.complete() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                back = engine.sync(SyncOptions.defaults());
            }
            assertThat(back.clean()).as(back.toString()).isTrue();
            assertThat(engine.merkleRoots("users").get(Tier.L2)).isEqualTo(engine.merkleRoots("users").get(Tier.L3));
            assertThat(engine.get("users/during-outage")).isPresent();
        }
    }
}
