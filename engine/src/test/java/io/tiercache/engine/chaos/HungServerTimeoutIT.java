package io.tiercache.engine.chaos;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A hung server (SIGSTOP: connections stay open, nothing answers) never holds a caller longer than the configured
 * timeout plus a small slack: reads with Redis hung wait at most {@code redisResponseTimeoutMs} before falling through
 * to L3, reads with MariaDB hung at most {@code sqlTimeoutMs} before failing, and MEMORY and LOCAL_WAL writes need
 * neither server.
 */
class HungServerTimeoutIT {
    private static final long REDIS_TIMEOUT_MS = 300;
    private static final long SQL_TIMEOUT_MS = 500;
    private static final long SLACK_MS = 400;
    private static final int ITEMS = 6;
    private static PrivateRedis redis;
    private static PrivateMariaDb mariadb;

    @TempDir
    Path dir;
    private final List<String> timings = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        redis = PrivateRedis.start();
        mariadb = PrivateMariaDb.start();
        mariadb.createDatabase("timeouts");
    }

    @AfterAll
    static void stopServers() throws Exception {
        PrivateServers.closeAll(redis, mariadb);
    }

    @Test
    void aHungRedisHoldsNoCallerLongerThanTheRedisTimeout() throws Exception {
        SyncEngineConfig config = SyncEngineConfig.builder().dataDir(dir).redisUrl(redis.url()).redisPrefix("hung:")
                .redisTimeoutMs(REDIS_TIMEOUT_MS).redisResponseTimeoutMs(REDIS_TIMEOUT_MS).sqlRetryBackoffMs(100)
                .build();
        try (SyncEngine engine = SyncEngine.start(config)) {
            populate(engine);
            redis.pause();
            try {
                exercise(engine, REDIS_TIMEOUT_MS);
            } finally {
                redis.resume();
            }
        }
    }

    @Test
    void aHungMariaDbHoldsNoCallerLongerThanTheSqlTimeout() throws Exception {
        SyncEngineConfig config = SyncEngineConfig.builder().dataDir(dir).sqlUrl(mariadb.jdbcUrl("timeouts"))
                .sqlUsername("root").sqlTimeoutMs(SQL_TIMEOUT_MS).sqlRetryBackoffMs(100).build();
        try (SyncEngine engine = SyncEngine.start(config)) {
            populate(engine);
            mariadb.pause();
            try {
                exercise(engine, SQL_TIMEOUT_MS);
            } finally {
                mariadb.resume();
            }
        }
    }

    private static void populate(SyncEngine engine) throws Exception {
        for (int i = 0; i < ITEMS; i++) {
            engine.submit("hung/" + i, utf8("{\"i\":" + i + "}")).get(10, TimeUnit.SECONDS);
        }
        engine.forceFlush().get(10, TimeUnit.SECONDS);
        engine.clearL1();
    }

    /**
     * Reads of ids L1 does not hold (so they need the hung server), spread over time so the breaker closes and
     * opens again, and writes at MEMORY and LOCAL_WAL: each within {@code timeoutMs} plus the slack.
     */
    private void exercise(SyncEngine engine, long timeoutMs) throws Exception {
        Duration limit = Duration.ofMillis(timeoutMs + SLACK_MS);
        // Reads only first: no write has made L2 untrusted yet, so each breaker probe asks the hung server again.
        for (int i = 0; i < ITEMS; i++) {
            String id = "hung/" + i;
            timed("read-only get " + id, limit, () -> {
                try {
                    engine.get(id);
                } catch (RuntimeException unavailable) {
                    // As below.
                }
            });
            Thread.sleep(150);
        }
        engine.clearL1();
        for (int i = 0; i < ITEMS; i++) {
            String id = "hung/" + i;
            timed("get " + id, limit, () -> {
                try {
                    engine.get(id);
                } catch (RuntimeException unavailable) {
                    // Failing is allowed (L3 hung); blocking is not.
                }
            });
            timed("submit MEMORY " + id, limit, () -> engine.submitWith(id + "/m", utf8("{}"),
                    SubmitOptions.defaults().withDurability(Durability.MEMORY)).get(limit.toMillis(), TimeUnit.MILLISECONDS));
            timed("submit LOCAL_WAL " + id, limit, () -> engine.submitWith(id + "/w", utf8("{}"),
                    SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL)).get(limit.toMillis(), TimeUnit.MILLISECONDS));
            List<String> ids = List.of(id + "/m", id + "/w", "hung/" + ((i + 1) % ITEMS));
            engine.clearL1();
            timed("getMany " + ids, limit, () -> {
                try {
                    engine.getMany(ids);
                } catch (RuntimeException unavailable) {
                    // As for get.
                }
            });
            if (i % 5 == 4) {
                Thread.sleep(150);
            }
        }
        System.out.println(getClass().getSimpleName() + " timings (limit " + limit.toMillis() + " ms): " + timings);
    }

    private void timed(String what, Duration limit, Executable call) {
        long start = System.nanoTime();
        assertTimeoutPreemptively(limit, call, what + " blocked longer than " + limit.toMillis() + " ms; so far "
                + timings);
        timings.add(what + "=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
