package io.tiercache.engine.tiered;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.chaos.PrivateRedis;
import io.tiercache.engine.redis.SharedRedis;
import io.tiercache.engine.sql.MariaDbDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two engines sharing Redis and MariaDB, each with its own L1: a committed write on one stops being served stale by
 * the other within milliseconds, through the change stream, and a node that loses Redis stops trusting its L1.
 */
class CoherenceIT {
    private static final String SHARED_REDIS = "redis://127.0.0.1:6379";

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;
    private final SharedRedis redis = new SharedRedis();
    private final String prefix = redis.prefix();
    private MariaDbDatabase database;

    @BeforeEach
    void createDatabase() throws Exception {
        database = new MariaDbDatabase();
    }

    @AfterEach
    void cleanUp() throws Exception {
        database.close();
        redis.close();
    }

    private SyncEngineConfig config(Path dir, String redisUrl) {
        return SyncEngineConfig.builder().dataDir(dir).redisUrl(redisUrl).redisPrefix(prefix)
                .sqlUrl(database.jdbcUrl()).sqlUsername("root").batchFlushMs(5)
                .redisResponseTimeoutMs(500).redisTimeoutMs(500).sqlRetryBackoffMs(100).build();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String read(SyncEngine engine, String id) {
        return engine.get(id).map(item -> new String(item.payload(), StandardCharsets.UTF_8)).orElse(null);
    }

    private static void awaitTrusted(SyncEngine engine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!engine.healthCheck().healthy() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void aCommittedWriteOnOneNodeIsSeenOnTheOtherWithinFiftyMilliseconds() throws Exception {
        try (SyncEngine a = SyncEngine.start(config(dirA, SHARED_REDIS));
             SyncEngine b = SyncEngine.start(config(dirB, SHARED_REDIS))) {
            awaitTrusted(a);
            awaitTrusted(b);
            Thread.sleep(200);
            List<Long> lagMicros = new ArrayList<>();
            for (int round = 0; round < 100; round++) {
                String id = "acct/" + (round % 10);
                a.submit(id, utf8("v" + round + "-old")).join();
                a.forceFlush().join();
                assertThat(awaitValue(b, id, "v" + round + "-old")).as("B first sees the old value").isNotNegative();
                a.submit(id, utf8("v" + round + "-new")).join();
                a.forceFlush().join();
                long committed = System.nanoTime();
                long seenAt = awaitValue(b, id, "v" + round + "-new");
                assertThat(seenAt).as("B saw the new value of %s", id).isNotNegative();
                lagMicros.add((seenAt - committed) / 1000);
            }
            Collections.sort(lagMicros);
            long p50 = lagMicros.get(49);
            long p99 = lagMicros.get(98);
            System.out.printf("coherence lag after commit on A, seen by B: p50 %d us, p99 %d us, max %d us%n",
                    p50, p99, lagMicros.get(99));
            assertThat(p99).as("p99 lag in microseconds").isLessThan(50_000);
        }
    }

    /** The nanoTime at which {@code engine} first served {@code expected}, or -1 after 2 s. */
    private static long awaitValue(SyncEngine engine, String id, String expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (expected.equals(read(engine, id))) {
                return System.nanoTime();
            }
            Thread.onSpinWait();
        }
        return -1;
    }

    @Test
    void deletesReachTheOtherNodesL1() throws Exception {
        try (SyncEngine a = SyncEngine.start(config(dirA, SHARED_REDIS));
             SyncEngine b = SyncEngine.start(config(dirB, SHARED_REDIS))) {
            awaitTrusted(a);
            awaitTrusted(b);
            a.submit("doc/1", utf8("x")).join();
            a.forceFlush().join();
            assertThat(awaitValue(b, "doc/1", "x")).isNotNegative();
            a.delete("doc/1").join();
            a.forceFlush().join();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (b.get("doc/1").isPresent() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(b.get("doc/1")).isEqualTo(Optional.empty());
        }
    }

    @Test
    void aNodeThatLosesRedisStopsServingItsL1AndCatchesUpAfterwards() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             SyncEngine a = SyncEngine.start(config(dirA, redis.url()));
             SyncEngine b = SyncEngine.start(config(dirB, redis.url()))) {
            awaitTrusted(a);
            awaitTrusted(b);
            a.submit("cfg/1", utf8("before")).join();
            a.forceFlush().join();
            assertThat(awaitValue(b, "cfg/1", "before")).isNotNegative();

            redis.pause();
            try {
                a.submit("cfg/1", utf8("during")).join();
                a.forceFlush().get(10, TimeUnit.SECONDS);
                assertThat(awaitValue(b, "cfg/1", "during"))
                        .as("B reads L3 while it cannot follow the stream, never its stale L1").isNotNegative();
            } finally {
                redis.resume();
            }
            awaitTrusted(a);
            awaitTrusted(b);
            a.submit("cfg/1", utf8("after")).join();
            a.forceFlush().join();
            assertThat(awaitValue(b, "cfg/1", "after")).isNotNegative();
        }
    }
}
