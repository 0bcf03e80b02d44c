package io.tiercache.engine.tiered;

import io.tiercache.engine.ItemStatus;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.cdc.CdcConsumer;
import io.tiercache.engine.cdc.CdcEvent;
import io.tiercache.engine.chaos.PrivateRedisCluster;
import io.tiercache.engine.redis.RedisTier;
import io.tiercache.engine.sql.MariaDbDatabase;
import io.tiercache.engine.tier.TierAccessException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine with L1, a private three-master Redis Cluster as L2 and MariaDB as L3: the everyday operations over
 * namespaces on every master, coherence between two engines through the change stream in the cluster, CDC to a
 * consumer group, and a master
 * killed with SIGKILL while the engine keeps serving (from L3) within its timeouts, then brought back. A tier opened
 * while a master is down serves the others.
 */
class RedisClusterEngineIT {
    private static final long RESPONSE_TIMEOUT_MS = 500;
    /** Scheduling on a shared 2-core machine: what a call may take beyond the configured timeout. */
    private static final long SLACK_MS = 700;
    private static PrivateRedisCluster cluster;
    private static int engines;

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;
    private MariaDbDatabase database;
    private String prefix;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PrivateRedisCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @BeforeEach
    void createDatabase() throws Exception {
        database = new MariaDbDatabase();
        prefix = "eng" + (++engines) + ":";
    }

    @AfterEach
    void dropDatabase() throws Exception {
        database.close();
    }

    private SyncEngineConfig config(Path dir) {
        return SyncEngineConfig.builder().dataDir(dir).redisUrl(cluster.url()).redisPrefix(prefix)
                .sqlUrl(database.jdbcUrl()).sqlUsername(database.username()).batchFlushMs(5)
                .redisResponseTimeoutMs(RESPONSE_TIMEOUT_MS).redisTimeoutMs(RESPONSE_TIMEOUT_MS)
                .sqlRetryBackoffMs(100).build();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String read(SyncEngine engine, String id) {
        return engine.get(id).map(item -> new String(item.payload(), StandardCharsets.UTF_8)).orElse(null);
    }

    private static boolean await(BooleanSupplier condition, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    private static List<String> ids(int namespaces, int perNamespace) {
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < namespaces; n++) {
            for (int i = 0; i < perNamespace; i++) {
                ids.add("c" + n + "/" + i);
            }
        }
        return ids;
    }

    @Test
    void writesReadsScansAndDeletesGoThroughTheCluster() throws Exception {
        try (SyncEngine engine = SyncEngine.start(config(dirA))) {
            List<String> ids = ids(10, 5);
            for (String id : ids) {
                engine.submit(id, utf8("{\"id\":\"" + id + "\"}")).join();
            }
            engine.forceFlush().get(10, TimeUnit.SECONDS);
            assertThat(ids).allSatisfy(id -> assertThat(engine.status(id))
                    .isEqualTo(new ItemStatus.Synced(true, true, true)));

            engine.clearL1();
            long l2HitsBefore = engine.stats().l2Hits();
            assertThat(ids).allSatisfy(id -> assertThat(read(engine, id)).isEqualTo("{\"id\":\"" + id + "\"}"));
            assertThat(engine.stats().l2Hits() - l2HitsBefore).as("reads served by the cluster").isEqualTo(50);

            assertThat(engine.scanPrefix("c4/", 100)).extracting(SyncItem::id)
                    .containsExactly("c4/0", "c4/1", "c4/2", "c4/3", "c4/4");
            assertThat(engine.countPrefix("c")).isEqualTo(50);
            assertThat(engine.deletePrefix("c5/").get(10, TimeUnit.SECONDS)).isEqualTo(5);
            engine.forceFlush().get(10, TimeUnit.SECONDS);
            assertThat(engine.status("c5/1")).isEqualTo(new ItemStatus.Missing());
            engine.clearL1();
            assertThat(engine.get("c5/1")).isEmpty();
            assertThat(engine.countPrefix("c")).isEqualTo(45);
        }
    }

    @Test
    void anotherEngineSeesWritesThroughTheChangeStreamInTheCluster() throws Exception {
        try (SyncEngine a = SyncEngine.start(config(dirA));
             SyncEngine b = SyncEngine.start(config(dirB))) {
            assertThat(await(() -> a.healthCheck().healthy() && b.healthCheck().healthy(), 10)).isTrue();
            a.submit("doc/1", utf8("v1")).join();
            a.forceFlush().get(10, TimeUnit.SECONDS);
            assertThat(await(() -> "v1".equals(read(b, "doc/1")), 5)).as("B reads A's first write").isTrue();
            a.submit("doc/1", utf8("v2")).join();
            a.forceFlush().get(10, TimeUnit.SECONDS);
            assertThat(await(() -> "v2".equals(read(b, "doc/1")), 5))
                    .as("B's L1 copy of v1 was invalidated through the stream").isTrue();
            a.delete("doc/1").get(10, TimeUnit.SECONDS);
            a.forceFlush().get(10, TimeUnit.SECONDS);
            assertThat(await(() -> b.get("doc/1").isEmpty(), 5)).as("B no longer serves the deleted item").isTrue();
        }
    }

    @Test
    void cdcEventsReachAConsumerGroupThroughTheCluster() throws Exception {
        SyncEngineConfig config = config(dirA).toBuilder().enableCdcStream(true).build();
        try (CdcConsumer consumer = CdcConsumer.open(config, "indexer", "worker-1");
             SyncEngine engine = SyncEngine.start(config)) {
            List<String> ids = ids(6, 3);
            for (String id : ids) {
                engine.submit(id, utf8("{\"v\":1}")).join();
            }
            engine.delete("c5/2").get(10, TimeUnit.SECONDS);
            engine.forceFlush().get(10, TimeUnit.SECONDS);
            List<CdcEvent> events = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (events.size() < ids.size() + 1 && System.nanoTime() < deadline) {
                List<CdcEvent> batch = consumer.poll(100, Duration.ofMillis(200));
                events.addAll(batch);
                consumer.ack(batch);
            }
            assertThat(events).extracting(CdcEvent::id).containsAll(ids);
            assertThat(events).filteredOn(CdcEvent::deleted).extracting(CdcEvent::id).containsExactly("c5/2");
            assertThat(consumer.poll(100, Duration.ofMillis(100))).as("nothing left once acknowledged").isEmpty();
        }
    }

    @Test
    void aKilledMasterBlocksNoCallerAndTheEngineRecoversWhenItIsBack() throws Exception {
        try (SyncEngine engine = SyncEngine.start(config(dirA))) {
            List<String> ids = ids(12, 3);
            for (String id : ids) {
                engine.submit(id, utf8("v1")).join();
            }
            engine.forceFlush().get(10, TimeUnit.SECONDS);
            assertThat(engine.status("c0/0")).isEqualTo(new ItemStatus.Synced(true, true, true));
            int victim = cluster.slots().nodeOf(prefix + "{c0/}:ids");
            List<String> onVictim = ids.stream()
                    .filter(id -> cluster.slots().nodeOf(prefix + "{" + id.substring(0, id.indexOf('/') + 1) + "}:ids")
                            == victim).toList();
            assertThat(onVictim).hasSizeLessThan(ids.size()).contains("c0/0");

            cluster.kill9(victim);
            try {
                String survivor = ids.stream().filter(id -> !onVictim.contains(id)).findFirst().orElseThrow();
                try (RedisTier late = RedisTier.open(config(dirB), TimeSource.system())) {
                    assertThat(late.get(survivor)).as("a tier opened now serves the live masters").isPresent();
                    assertThatThrownBy(() -> late.get(onVictim.get(0))).isInstanceOf(TierAccessException.class);
                    assertThatThrownBy(late::ping).as("the ping asks every master")
                            .isInstanceOf(TierAccessException.class);
                }
                engine.clearL1();
                for (String id : ids) {
                    long start = System.nanoTime();
                    assertThat(read(engine, id)).as(id).isEqualTo("v1");
                    assertThat(millisSince(start)).as("reading %s", id).isLessThan(RESPONSE_TIMEOUT_MS + SLACK_MS);
                }
                for (String id : ids) {
                    engine.submit(id, utf8("v2")).get(RESPONSE_TIMEOUT_MS + SLACK_MS, TimeUnit.MILLISECONDS);
                }
                engine.forceFlush().get(10, TimeUnit.SECONDS);
                long start = System.nanoTime();
                assertThat(engine.healthCheck().backends().get(Tier.L2)).startsWith("down");
                assertThat(millisSince(start)).as("health check").isLessThan(RESPONSE_TIMEOUT_MS + SLACK_MS);
                engine.clearL1();
                assertThat(ids).allSatisfy(id -> assertThat(read(engine, id)).as(id).isEqualTo("v2"));
            } finally {
                cluster.restart(victim);
            }

            assertThat(await(() -> engine.healthCheck().healthy(), 30))
                    .as("healthy again: %s", engine.healthCheck()).isTrue();
            engine.clearL1();
            assertThat(ids).allSatisfy(id -> assertThat(read(engine, id)).as(id).isEqualTo("v2"));
            engine.submit(onVictim.get(0), utf8("v3")).join();
            engine.forceFlush().get(10, TimeUnit.SECONDS);
            assertThat(engine.status(onVictim.get(0))).as("the restarted master takes writes again")
                    .isEqualTo(new ItemStatus.Synced(true, true, true));
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
