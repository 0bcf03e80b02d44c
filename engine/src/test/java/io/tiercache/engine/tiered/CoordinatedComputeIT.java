package io.tiercache.engine.tiered;

import io.tiercache.engine.Mutation;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.redis.SharedRedis;
import io.tiercache.engine.sql.MariaDbDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code compute} is atomic across engines that share a coordinating tier: two engines in this JVM stand for two
 * nodes (each has its own L1, write-behind queue and stripe locks; only Redis and MariaDB are shared). Flushes are
 * slowed to a second so that decisions really rest on the coordinating tier and not on a flushed L3.
 */
class CoordinatedComputeIT {
    /** Which shared tier arbitrates: Redis (with MariaDB as L3), or MariaDB alone. */
    enum Coordination { REDIS, SQL }

    @TempDir
    Path dir;
    private final SharedRedis redis = new SharedRedis();
    private MariaDbDatabase database;
    private final List<SyncEngine> engines = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        engines.forEach(SyncEngine::close);
        redis.close();
        if (database != null) {
            database.close();
        }
    }

    private SyncEngine node(Coordination coordination, String name) throws Exception {
        if (database == null) {
            database = new MariaDbDatabase();
        }
        SyncEngineConfig.Builder config = SyncEngineConfig.builder().dataDir(dir.resolve(name))
                .sqlUrl(database.jdbcUrl()).sqlUsername(database.username()).batchFlushMs(1_000);
        if (coordination == Coordination.REDIS) {
            config.redisUrl(SharedRedis.URL).redisPrefix(redis.prefix()).redisResponseTimeoutMs(5_000);
        }
        SyncEngine engine = SyncEngine.start(config.build());
        engines.add(engine);
        return engine;
    }

    private static long count(Optional<SyncItem> item) {
        return item.map(it -> Long.parseLong(new String(it.payload(), StandardCharsets.UTF_8))).orElse(0L);
    }

    private static Mutation<Long> increment(Optional<SyncItem> current) {
        long next = count(current) + 1;
        return Mutation.put(Long.toString(next).getBytes(StandardCharsets.UTF_8), SubmitOptions.defaults(), next);
    }

    @ParameterizedTest
    @EnumSource(Coordination.class)
    void incrementsFromTwoNodesLoseNone(Coordination coordination) throws Exception {
        SyncEngine a = node(coordination, "a");
        SyncEngine b = node(coordination, "b");
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (SyncEngine engine : List.of(a, b, a, b)) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        engine.compute("counters/visits", CoordinatedComputeIT::increment);
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long expected = 4L * perThread;
        assertThat(a.<Long>compute("counters/visits", current -> Mutation.keep(count(current)))).isEqualTo(expected);
        assertThat(b.<Long>compute("counters/visits", current -> Mutation.keep(count(current)))).isEqualTo(expected);
        a.forceFlush().join();
        b.forceFlush().join();
        b.clearL1();
        assertThat(count(b.get("counters/visits"))).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Coordination.class)
    void aPutIfAbsentRaceBetweenNodesHasOneWinnerPerKey(Coordination coordination) throws Exception {
        List<SyncEngine> nodes = List.of(node(coordination, "a"), node(coordination, "b"));
        int keys = 40;
        int threads = 4;
        ConcurrentHashMap<String, List<String>> winners = new ConcurrentHashMap<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SyncEngine engine = nodes.get(t % 2);
                String contender = "contender-" + t;
                runs.add(pool.submit(() -> {
                    start.await();
                    for (int k = 0; k < keys; k++) {
                        String id = "locks/job-" + k;
                        boolean won = engine.compute(id, current -> current.isPresent() ? Mutation.keep(false)
                                : Mutation.put(contender.getBytes(StandardCharsets.UTF_8), SubmitOptions.defaults(),
                                true));
                        if (won) {
                            winners.computeIfAbsent(id, x -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(contender);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(winners).hasSize(keys);
        winners.forEach((id, won) -> {
            assertThat(won).as(id).hasSize(1);
            for (SyncEngine engine : nodes) {
                String stored = engine.compute(id, current -> Mutation.keep(
                        new String(current.orElseThrow().payload(), StandardCharsets.UTF_8)));
                assertThat(stored).as(id + " as every node sees it").isEqualTo(won.get(0));
            }
        });
    }

    /** Before L3 takes the delete (flushes are a second apart), another node must not build on L3's old copy. */
    @ParameterizedTest
    @EnumSource(Coordination.class)
    void aDeleteOnOneNodeIsWhatTheOtherDecidesOnAtOnce(Coordination coordination) throws Exception {
        SyncEngine a = node(coordination, "a");
        SyncEngine b = node(coordination, "b");
        a.submit("carts/7", "3".getBytes(StandardCharsets.UTF_8)).join();
        a.forceFlush().join();
        assertThat(b.compute("carts/7", CoordinatedComputeIT::increment)).isEqualTo(4);
        assertThat(a.<Boolean>compute("carts/7", current -> Mutation.delete(current.isPresent()))).isTrue();
        assertThat(b.compute("carts/7", CoordinatedComputeIT::increment))
                .as("node B starts again from nothing, not from the 4 that L3 may still hold").isEqualTo(1);
    }

    /** A plain write still in this node's queue is newer than the shared tier's copy, so it is the base. */
    @ParameterizedTest
    @EnumSource(Coordination.class)
    void aQueuedPlainWriteIsTheBaseOfTheNextDecisionOnEveryNode(Coordination coordination) throws Exception {
        SyncEngine a = node(coordination, "a");
        SyncEngine b = node(coordination, "b");
        a.submit("stock/42", "10".getBytes(StandardCharsets.UTF_8)).join();
        a.submit("stock/42", "20".getBytes(StandardCharsets.UTF_8)).join();
        assertThat(a.compute("stock/42", CoordinatedComputeIT::increment)).isEqualTo(21);
        assertThat(b.compute("stock/42", CoordinatedComputeIT::increment)).isEqualTo(22);
        AtomicInteger calls = new AtomicInteger();
        assertThat(a.<Long>compute("stock/42", current -> {
            calls.incrementAndGet();
            return Mutation.keep(count(current));
        })).isEqualTo(22);
        assertThat(calls).hasValue(1);
        assertThat(a.getOrInsertWith("stock/42", () -> "0".getBytes(StandardCharsets.UTF_8)).payload())
                .isEqualTo("22".getBytes(StandardCharsets.UTF_8));
        assertThat(b.getOrInsertWith("stock/43", () -> "5".getBytes(StandardCharsets.UTF_8)).payload())
                .isEqualTo("5".getBytes(StandardCharsets.UTF_8));
        assertThat(a.getOrInsertWith("stock/43", () -> "6".getBytes(StandardCharsets.UTF_8)).payload())
                .isEqualTo("5".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * With {@code awaitingInvalidation()}, the moment compute returns on node A no other node serves the old value
     * from its L1: node B reads right after, without waiting, every round.
     */
    @org.junit.jupiter.api.Test
    void anAwaitedWriteIsNeverReadStaleFromAnotherNodesL1() throws Exception {
        SyncEngine a = node(Coordination.REDIS, "a");
        SyncEngine b = node(Coordination.REDIS, "b");
        for (int round = 1; round <= 100; round++) {
            String value = Integer.toString(round);
            a.compute("prices/1", current -> Mutation.put(value.getBytes(StandardCharsets.UTF_8),
                    SubmitOptions.defaults().awaitingInvalidation(), null));
            assertThat(new String(b.get("prices/1").orElseThrow().payload(), StandardCharsets.UTF_8))
                    .as("node B right after round %d", round).isEqualTo(value);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.submitWith("prices/2",
                        "x".getBytes(StandardCharsets.UTF_8), SubmitOptions.defaults().awaitingInvalidation()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compute()");
    }

    /** Without its arbiter a conditional write could have two winners: it fails by name instead; plain ones go on. */
    @org.junit.jupiter.api.Test
    void aConditionalWriteFailsByNameWhileRedisIsDownAndPlainWritesGoOn() throws Exception {
        database = new MariaDbDatabase();
        try (io.tiercache.engine.chaos.PrivateRedis privateRedis = io.tiercache.engine.chaos.PrivateRedis.start()) {
            SyncEngine engine = SyncEngine.start(SyncEngineConfig.builder().dataDir(dir.resolve("down"))
                    .sqlUrl(database.jdbcUrl()).sqlUsername(database.username()).redisUrl(privateRedis.url())
                    .redisPrefix("down:").redisTimeoutMs(500).redisResponseTimeoutMs(500).sqlRetryBackoffMs(100)
                    .build());
            engines.add(engine);
            assertThat(engine.compute("k/1", CoordinatedComputeIT::increment)).isEqualTo(1);
            privateRedis.kill9();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.compute("k/1",
                            CoordinatedComputeIT::increment))
                    .isInstanceOf(io.tiercache.engine.TierUnavailableException.class).hasMessageContaining("L2")
                    .hasMessageContaining("conditional");
            engine.submit("k/2", "plain".getBytes(StandardCharsets.UTF_8)).join();
            assertThat(engine.get("k/2").orElseThrow().payload()).isEqualTo("plain".getBytes(StandardCharsets.UTF_8));
        }
    }
}
