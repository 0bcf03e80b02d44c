package io.tiercache.engine.tiered;

import io.tiercache.engine.Durability;
import io.tiercache.engine.EngineStats;
import io.tiercache.engine.FilterStats;
import io.tiercache.engine.SubmitOptions;
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
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The existence filter with L3 on the shared MariaDB: engines sharing Redis trust their filters while they follow the
 * change stream, find each other's writes (no false negative), stop trusting when the stream is lost and rebuild;
 * engines sharing MariaDB without Redis do not use a filter at all. L3 queries are counted by {@code l3Reads}.
 */
class CuckooFilterIT {
    @TempDir
    Path dirA;
    @TempDir
    Path dirB;
    private final SharedRedis redis = new SharedRedis("tcit-cuckoo:");
    private static final SubmitOptions DURABLE = SubmitOptions.defaults().withDurability(Durability.DURABLE);
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

    private SyncEngineConfig.Builder config(Path dir, String redisUrl) {
        SyncEngineConfig.Builder builder = SyncEngineConfig.builder().dataDir(dir).sqlUrl(database.jdbcUrl())
                .sqlUsername(database.username()).batchFlushMs(5).sqlRetryBackoffMs(100);
        return redisUrl == null ? builder : builder.redisUrl(redisUrl).redisPrefix(redis.prefix())
                .redisResponseTimeoutMs(500).redisTimeoutMs(500);
    }

    private static void awaitFilter(SyncEngine engine, Predicate<FilterStats> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.test(engine.stats().filter()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(engine.stats().filter()).matches(condition, "the awaited filter state");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aMissOfANeverWrittenIdDoesNotQueryMariaDb() throws Exception {
        try (SyncEngine a = SyncEngine.start(config(dirA, SharedRedis.URL).build())) {
            awaitFilter(a, FilterStats::trusted);
            a.submitWith("present/1", utf8("x"), DURABLE).join();
            EngineStats before = a.stats();
            for (int i = 0; i < 500; i++) {
                assertThat(a.get("absent/" + i)).isEmpty();
            }
            EngineStats after = a.stats();
            assertThat(after.l3Reads()).isEqualTo(before.l3Reads());
            assertThat(after.filter().skips() - before.filter().skips()).isEqualTo(500);
        }
    }

    @Test
    void idsWrittenByAnotherEngineAreFoundUnderConcurrentLoad() throws Exception {
        int writers = 3;
        int perWriter = 400;
        try (SyncEngine a = SyncEngine.start(config(dirA, SharedRedis.URL).build());
             SyncEngine b = SyncEngine.start(config(dirB, SharedRedis.URL).build())) {
            awaitFilter(a, FilterStats::trusted);
            awaitFilter(b, FilterStats::trusted);
            // Half the writes skip Redis, so A can find them only in MariaDB, through its filter.
            SubmitOptions l3Only = SubmitOptions.durable().withDurability(Durability.DURABLE);
            SubmitOptions everywhere = SubmitOptions.defaults().withDurability(Durability.DURABLE);
            List<String> acked = new CopyOnWriteArrayList<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicLong lagged = new AtomicLong();
            AtomicLong maxLagMicros = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
            List<Future<?>> tasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                tasks.add(pool.submit(() -> {
                    for (int n = 0; n < perWriter; n++) {
                        String id = "b/" + writer + "/" + n;
                        b.submitWith(id, utf8(id), n % 2 == 0 ? l3Only : everywhere).join();
                        acked.add(id);
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 2; r++) {
                tasks.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (writing.get()) {
                        assertThat(a.get("never/" + random.nextInt(1_000_000))).isEmpty();
                        if (acked.isEmpty()) {
                            continue;
                        }
                        String id = acked.get(random.nextInt(acked.size()));
                        if (a.get(id).isPresent()) {
                            continue;
                        }
                        // Only an id B kept out of Redis may be missed, and only until its announcement arrives.
                        long missedAt = System.nanoTime();
                        lagged.incrementAndGet();
                        while (a.get(id).isEmpty()) {
                            if (System.nanoTime() - missedAt > TimeUnit.SECONDS.toNanos(2)) {
                                failures.add(id);
                                break;
                            }
                            Thread.onSpinWait();
                        }
                        maxLagMicros.accumulateAndGet((System.nanoTime() - missedAt) / 1000, Math::max);
                        if (!id.endsWith("0") && !id.endsWith("2") && !id.endsWith("4") && !id.endsWith("6")
                                && !id.endsWith("8")) {
                            failures.add(id + " (held by Redis too, yet missed)");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks.subList(0, writers)) {
                task.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);
            for (Future<?> task : tasks) {
                task.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();
            System.out.printf("existence filter under load: %d ids written by B, %d reads on A missed an id only "
                    + "until its announcement arrived (max %d us), %d never-written ids skipped L3%n",
                    acked.size(), lagged.get(), maxLagMicros.get(), a.stats().filter().skips());
            assertThat(failures).isEmpty();

            // The stream is ordered: once A has the last announcement, it has all of them.
            b.submitWith("b/sentinel", utf8("s"), l3Only).join();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (a.get("b/sentinel").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            a.clearL1();
            for (String id : acked) {
                assertThat(a.get(id)).as(id).isPresent();
            }
            assertThat(a.stats().filter().trusted()).isTrue();
            assertThat(a.stats().filter().skips()).isPositive();
            assertThat(a.verifyFilter().falseNegatives()).isZero();
        }
    }

    @Test
    void engineSharingMariaDbWithoutRedisDoNotTrustAFilter() throws Exception {
        try (SyncEngine a = SyncEngine.start(config(dirA, null).build());
             SyncEngine b = SyncEngine.start(config(dirB, null).build())) {
            assertThat(a.get("shared/1")).isEmpty();
            b.submitWith("shared/1", utf8("from b"), DURABLE).join();
            b.forceFlush().join();
            assertThat(a.get("shared/1")).isPresent();
            long reads = a.stats().l3Reads();
            assertThat(a.get("shared/none")).isEmpty();
            assertThat(a.stats().l3Reads()).isEqualTo(reads + 1);
            assertThat(a.stats().filter().enabled()).isFalse();
            assertThat(a.verifyFilter().trusted()).isFalse();
        }
    }

    @Test
    void aRestartAfterAnotherEngineWroteRebuildsAndFindsItsWrites() throws Exception {
        SyncEngineConfig configA = config(dirA, SharedRedis.URL).cfSnapshotIntervalSecs(1).build();
        try (SyncEngine b = SyncEngine.start(config(dirB, SharedRedis.URL).build())) {
            SyncEngine a = SyncEngine.start(configA);
            awaitFilter(a, FilterStats::trusted);
            a.submitWith("a/1", utf8("x"), DURABLE).join();
            awaitFilter(a, filter -> filter.snapshotsWritten() > 0);
            a.close();
            b.submitWith("b/while-a-was-down", utf8("y"),
                    SubmitOptions.durable().withDurability(Durability.DURABLE)).join();
            try (SyncEngine restarted = SyncEngine.start(configA)) {
                awaitFilter(restarted, FilterStats::trusted);
                assertThat(restarted.stats().filter().restored()).isFalse();
                assertThat(restarted.get("b/while-a-was-down")).isPresent();
                assertThat(restarted.get("a/1")).isPresent();
            }
        }
    }

    @Test
    void aQuietClusterRestartsFromTheSnapshot() throws Exception {
        SyncEngineConfig configA = config(dirA, SharedRedis.URL).cfSnapshotIntervalSecs(1).build();
        SyncEngine a = SyncEngine.start(configA);
        awaitFilter(a, FilterStats::trusted);
        for (int i = 0; i < 100; i++) {
            a.submitWith("quiet/" + i, utf8("v" + i), DURABLE).join();
        }
        a.forceFlush().join();
        // With a change stream a snapshot is stamped with a marker read 2 s before it (announcements of what the
        // marker covers have arrived by then): within 1 s (interval) + 2 s a marker taken after the flush is read,
        // 2 s later it stamps a snapshot. That is real time, as announcement lag is.
        Thread.sleep(6_000);
        assertThat(a.stats().filter().snapshotsWritten()).isPositive();
        a.close();
        try (SyncEngine restarted = SyncEngine.start(configA)) {
            awaitFilter(restarted, FilterStats::trusted);
            assertThat(restarted.stats().filter().restored()).isTrue();
            assertThat(restarted.stats().filter().rebuilds()).isZero();
            for (int i = 0; i < 100; i++) {
                assertThat(restarted.get("quiet/" + i)).isPresent();
            }
            long reads = restarted.stats().l3Reads();
            assertThat(restarted.get("quiet/none")).isEmpty();
            assertThat(restarted.stats().l3Reads()).isEqualTo(reads);
        }
    }

    @Test
    void losingTheChangeStreamDistrustsTheFilterUntilItIsRebuilt() throws Exception {
        try (PrivateRedis privateRedis = PrivateRedis.start();
             SyncEngine a = SyncEngine.start(config(dirA, privateRedis.url()).build())) {
            awaitFilter(a, filter -> filter.trusted() && filter.rebuilds() == 1);
            privateRedis.kill9();
            awaitFilter(a, filter -> !filter.trusted());
            long reads = a.stats().l3Reads();
            assertThat(a.get("lost/1")).isEmpty();
            assertThat(a.stats().l3Reads()).as("an untrusted filter sends misses to L3").isEqualTo(reads + 1);
            privateRedis.restart();
            awaitFilter(a, filter -> filter.trusted() && filter.rebuilds() == 2);
            reads = a.stats().l3Reads();
            assertThat(a.get("lost/1")).isEmpty();
            assertThat(a.stats().l3Reads()).isEqualTo(reads);
        }
    }
}
