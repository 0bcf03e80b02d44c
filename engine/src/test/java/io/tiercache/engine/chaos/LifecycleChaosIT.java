package io.tiercache.engine.chaos;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tiercache.engine.Durability;
import io.tiercache.engine.EngineState;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Starting and stopping an engine with every tier configured (a private redis-server, and SQLite or a private
 * MariaDB as L3): misuse fails clearly and never hangs, and five quick start/stop cycles leave no thread and no
 * server connection behind; a server that hangs while an engine stops or starts holds neither up for longer than its
 * timeouts.
 */
class LifecycleChaosIT {
    private static final int CYCLES = 5;
    /**
     * Threads the JVM or a library keeps for the whole process, whoever started them: the common pool (Caffeine's
     * maintenance, {@code healthCheck()} pings), the process reaper (server processes of this test), JDK housekeeping,
     * mysql-connector-j's one static cleaner thread, and Netty's static global executor (ends itself when idle).
     * What an engine starts, and what must all end with it: tiercache-flusher, tiercache-wal-writer,
     * tiercache-l2-filler, the Hikari pools' tiercache-l3/-wal/-repairs housekeeper and connection-adder threads,
     * and Lettuce's lettuce-nioEventLoop-* and lettuce-timer-* threads of the engine's own client resources.
     */
    private static final Pattern JVM_GLOBAL = Pattern.compile("ForkJoinPool\\.commonPool-worker-\\d+"
            + "|Common-Cleaner|Attach Listener|Signal Dispatcher|Finalizer|Reference Handler|Notification Thread"
            + "|mysql-cj-abandoned-connection-cleanup|globalEventExecutor-\\d+-\\d+|junit-.*|surefire-.*|process reaper.*");
    private static PrivateRedis redis;
    private static PrivateMariaDb mariadb;

    @TempDir
    Path dir;

    enum L3 { SQLITE, MARIADB }

    @BeforeAll
    static void startServers() throws Exception {
        redis = PrivateRedis.start();
        mariadb = PrivateMariaDb.start();
        mariadb.createDatabase("lifecycle");
    }

    @AfterAll
    static void stopServers() throws Exception {
        PrivateServers.closeAll(redis, mariadb);
    }

    private SyncEngineConfig config(L3 l3) {
        SyncEngineConfig.Builder builder = SyncEngineConfig.builder().dataDir(dir).redisUrl(redis.url())
                .redisPrefix("lifecycle:").redisTimeoutMs(500).redisResponseTimeoutMs(500).batchFlushMs(20);
        if (l3 == L3.MARIADB) {
            builder.sqlUrl(mariadb.jdbcUrl("lifecycle")).sqlUsername("root").sqlTimeoutMs(1000);
        }
        return builder.build();
    }

    @ParameterizedTest
    @EnumSource(L3.class)
    void misuseFailsClearlyAndNeverHangs(L3 l3) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            SyncEngine never = SyncEngine.create(config(l3));
            assertThatThrownBy(never::shutdown).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("never started");
            never.close();
            assertThat(never.state()).isEqualTo(EngineState.CREATED);

            SyncEngine engine = SyncEngine.start(config(l3));
            assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("starts once");
            engine.submit("life/1", utf8("v")).join();
            engine.shutdown();
            engine.shutdown();
            engine.close();
            assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> engine.submit("life/1", utf8("v"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shut down");
            assertThatThrownBy(() -> engine.get("life/1")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shut down");
            assertThatThrownBy(() -> engine.delete("life/1")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(engine::forceFlush).isInstanceOf(IllegalStateException.class);
            assertThat(engine.healthCheck().healthy()).isFalse();
        });
    }

    enum Hung { REDIS, MARIADB }

    /**
     * A server that hangs (SIGSTOP) when the engine shuts down, and still when the next one starts: neither call
     * hangs, and every acknowledged write is there once the server answers again.
     */
    @ParameterizedTest
    @EnumSource(Hung.class)
    void shutdownAndStartWithAHungServerNeverHang(Hung hung) throws Exception {
        SyncEngineConfig config = config(L3.MARIADB).toBuilder().redisPrefix("hung-" + hung + ":")
                .sqlRetryBackoffMs(100).build();
        SubmitOptions wal = SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL);
        SyncEngine engine = SyncEngine.start(config);
        for (int i = 0; i < 20; i++) {
            engine.submitWith("hung/" + i, utf8("{\"v\":1}"), wal).get(10, TimeUnit.SECONDS);
        }
        engine.forceFlush().get(10, TimeUnit.SECONDS);
        if (hung == Hung.REDIS) {
            redis.pause();
        } else {
            mariadb.pause();
        }
        long shutdownMs;
        long startMs;
        try {
            for (int i = 0; i < 20; i++) {
                engine.submitWith("hung/" + i, utf8("{\"v\":2}"), wal).get(10, TimeUnit.SECONDS);
            }
            long t0 = System.nanoTime();
            // The last batch may wait out a write's socket timeout (3 x sqlTimeoutMs) before going to the WAL.
            assertTimeoutPreemptively(Duration.ofMillis(3 * config.sqlTimeoutMs() + 3000), engine::shutdown,
                    "shutdown with " + hung + " hung");
            shutdownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofMillis(config.sqlTimeoutMs() + config.redisTimeoutMs() + 2000), () -> {
                try {
                    SyncEngine.start(config).close();
                } catch (IllegalStateException unreachableL3) {
                    assertThat(hung).isEqualTo(Hung.MARIADB);
                }
            }, "start with " + hung + " hung");
            startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        } finally {
            if (hung == Hung.REDIS) {
                redis.resume();
            } else {
                mariadb.resume();
            }
        }
        System.out.println("LifecycleChaosIT " + hung + " hung: shutdown " + shutdownMs + " ms, start " + startMs + " ms");
        try (SyncEngine next = SyncEngine.start(config)) {
            for (int i = 0; i < 20; i++) {
                assertThat(next.get("hung/" + i).orElseThrow().payload()).as("hung/%d", i).isEqualTo(utf8("{\"v\":2}"));
            }
            next.forceFlush().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!next.healthCheck().healthy() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            next.clearL1();
            for (int i = 0; i < 20; i++) {
                assertThat(next.get("hung/" + i).orElseThrow().payload()).as("hung/%d from the shared tiers", i)
                        .isEqualTo(utf8("{\"v\":2}"));
            }
        }
    }

    /** Writers race a shutdown: each write is either refused with IllegalStateException or completes. */
    @Test
    void aShutdownUnderLoadCompletesEveryAcceptedWriteAndRefusesTheRest() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            SyncEngine engine = SyncEngine.start(config(L3.SQLITE));
            AtomicBoolean refused = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<CompletableFuture<?>>>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    List<CompletableFuture<?>> accepted = new ArrayList<>();
                    for (int n = 0; ; n++) {
                        Durability durability = Durability.values()[n % Durability.values().length];
                        try {
                            accepted.add(engine.submitWith("load/" + writer + "/" + (n % 50), utf8("{\"n\":" + n + "}"),
                                    SubmitOptions.defaults().withDurability(durability)));
                            engine.get("load/" + writer + "/" + (n % 50));
                        } catch (IllegalStateException e) {
                            refused.set(true);
                            return accepted;
                        }
                    }
                }));
            }
            Thread.sleep(300);
            engine.shutdown();
            for (Future<List<CompletableFuture<?>>> writer : writers) {
                for (CompletableFuture<?> write : writer.get(10, TimeUnit.SECONDS)) {
                    write.get(10, TimeUnit.SECONDS);
                }
            }
            pool.shutdown();
            assertThat(refused).isTrue();
        });
    }

    @ParameterizedTest
    @EnumSource(L3.class)
    void rapidStartStopCyclesLeaveNoThreadsOrConnections(L3 l3) throws Exception {
        RedisClient inspector = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> redisInspector = inspector.connect();
             Connection sqlInspector = DriverManager.getConnection(mariadb.jdbcUrl(""), "root", "")) {
            // One cycle first, so classes, drivers and JVM-global pools are loaded before the baseline.
            cycle(l3, 0);
            awaitThreadsGone(liveThreads(), List.of());
            List<String> threadsBefore = liveThreads();
            // Only the inspectors' own connections, once those of earlier tests' engines have closed.
            long redisClientsBefore = awaitCount(() -> redisClients(redisInspector), 1);
            long mariadbThreadsBefore = awaitCount(() -> mariadbConnections(sqlInspector), 1);

            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 1; i <= CYCLES; i++) {
                    cycle(l3, i);
                }
            });

            List<String> leaked = awaitThreadsGone(threadsBefore, liveThreads());
            assertThat(leaked).as("threads started by the engines that outlived close()").isEmpty();
            assertThat(awaitCount(() -> redisClients(redisInspector), redisClientsBefore))
                    .as("Redis CLIENT LIST entries").isLessThanOrEqualTo(redisClientsBefore);
            assertThat(awaitCount(() -> mariadbConnections(sqlInspector), mariadbThreadsBefore))
                    .as("MariaDB Threads_connected").isLessThanOrEqualTo(mariadbThreadsBefore);
        } finally {
            inspector.shutdown();
        }
    }

    /** One engine lifetime that opens everything: writes at each durability, reads through L2 and L3, a flush. */
    private void cycle(L3 l3, int n) throws Exception {
        try (SyncEngine engine = SyncEngine.start(config(l3))) {
            for (Durability durability : Durability.values()) {
                engine.submitWith("cycle/" + durability, utf8("{\"n\":" + n + "}"),
                        SubmitOptions.defaults().withDurability(durability)).get(10, TimeUnit.SECONDS);
            }
            engine.submitWith("cycle/l3only", utf8("{}"), SubmitOptions.durable()).get(10, TimeUnit.SECONDS);
            engine.forceFlush().get(10, TimeUnit.SECONDS);
            engine.clearL1();
            assertThat(engine.get("cycle/DURABLE")).isPresent();
            assertThat(engine.get("cycle/l3only")).as("read from L3 and promoted to L2 by the filler").isPresent();
            assertThat(engine.healthCheck().healthy()).as("cycle %d: %s", n, engine.healthCheck()).isTrue();
        }
    }

    private static List<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> !JVM_GLOBAL.matcher(name).matches()).sorted().toList();
    }

    /** The threads of {@code after} not in {@code before}, once they had up to 5 s to end. */
    private static List<String> awaitThreadsGone(List<String> before, List<String> after) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> extra = extra(before, after);
        while (!extra.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            extra = extra(before, liveThreads());
        }
        return extra;
    }

    private static List<String> extra(List<String> before, List<String> after) {
        List<String> extra = new ArrayList<>(after);
        for (String name : before) {
            extra.remove(name);
        }
        return extra;
    }

    @FunctionalInterface
    private interface Count {
        long get() throws Exception;
    }

    /** The count once it is at most {@code expected}, or after 5 s. */
    private static long awaitCount(Count count, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long current = count.get();
        while (current > expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            current = count.get();
        }
        return current;
    }

    private static long redisClients(StatefulRedisConnection<String, String> connection) {
        return connection.sync().clientList().lines().filter(line -> !line.isBlank()).count();
    }

    private static long mariadbConnections(Connection connection) throws Exception {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'Threads_connected'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
