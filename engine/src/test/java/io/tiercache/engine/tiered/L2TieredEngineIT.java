package io.tiercache.engine.tiered;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.tiercache.engine.ItemStatus;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.chaos.PrivateRedis;
import io.tiercache.engine.redis.SharedRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The engine with all three tiers: L1, Redis (the machine's, under a prefix of the test's own) and SQLite. */
class L2TieredEngineIT {
    private static final String SHARED_REDIS = "redis://127.0.0.1:6379";

    @TempDir
    Path dir;
    private final SharedRedis redis = new SharedRedis();
    private final String prefix = redis.prefix();

    @AfterEach
    void removeKeys() throws Exception {
        redis.close();
    }

    private SyncEngineConfig config(String redisUrl) {
        return SyncEngineConfig.builder().dataDir(dir).redisUrl(redisUrl).redisPrefix(prefix)
                .redisResponseTimeoutMs(500).redisTimeoutMs(500).sqlRetryBackoffMs(100).build();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFlushedWriteIsInEveryTierAndL2ServesWhenL1IsCold() {
        try (SyncEngine engine = SyncEngine.start(config(SHARED_REDIS))) {
            engine.submit("users/1", utf8("{\"n\":1}")).join();
            engine.forceFlush().join();
            assertThat(engine.status("users/1")).isEqualTo(new ItemStatus.Synced(true, true, true));
            engine.clearL1();
            long l2HitsBefore = engine.stats().l2Hits();
            assertThat(engine.get("users/1").orElseThrow().payload()).isEqualTo(utf8("{\"n\":1}"));
            assertThat(engine.stats().l2Hits()).isEqualTo(l2HitsBefore + 1);
        }
    }

    @Test
    void routingPutsCacheEntriesInL2OnlyAndDurableOnesInL3Only() {
        try (SyncEngine engine = SyncEngine.start(config(SHARED_REDIS))) {
            engine.submitWith("session/a", utf8("s"), SubmitOptions.cache(Duration.ofMinutes(5))).join();
            engine.submit("order/1", utf8("v1")).join();
            engine.forceFlush().join();
            engine.submitWith("order/1", utf8("v2"), SubmitOptions.durable()).join();
            engine.forceFlush().join();
            assertThat(engine.status("session/a")).isEqualTo(new ItemStatus.Synced(true, true, false));
            assertThat(engine.status("order/1"))
                    .as("a durable() write removes the older copy L2 held").isEqualTo(new ItemStatus.Synced(true, false, true));
            engine.clearL1();
            assertThat(engine.get("order/1").orElseThrow().payload()).isEqualTo(utf8("v2"));
            assertThat(engine.get("session/a").orElseThrow().expiresAt()).isPositive();
        }
    }

    @Test
    void garbageInRedisIsAMissThatL3HealsAndRewrites() {
        try (SyncEngine engine = SyncEngine.start(config(SHARED_REDIS))) {
            byte[] payload = utf8("{\"account\":42,\"balance\":100}");
            engine.submit("acct/42", payload).join();
            engine.forceFlush().join();
            corruptRedisCopy("acct/42", payload);
            engine.clearL1();

            SyncItem served = engine.getVerified("acct/42").orElseThrow();
            assertThat(served.payload()).isEqualTo(payload);
            assertThat(engine.stats().l2Hits()).isZero();
            engine.clearL1();
            assertThat(engine.get("acct/42").orElseThrow().payload()).isEqualTo(payload);
            assertThat(engine.stats().l2Hits()).as("L2 was rewritten with the intact copy").isEqualTo(1);
        }
    }

    /** Truncates the stored payload field of the item's hash, whatever the field is called. */
    private void corruptRedisCopy(String id, byte[] payload) {
        RedisClient client = RedisClient.create(SHARED_REDIS);
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            ScanIterator<byte[]> keys = ScanIterator.scan(connection.sync(),
                    ScanArgs.Builder.matches(prefix + "*i:" + id).limit(1000));
            assertThat(keys.hasNext()).as("Redis key of %s", id).isTrue();
            byte[] key = keys.next();
            Map<byte[], byte[]> fields = connection.sync().hgetall(key);
            byte[] payloadField = fields.entrySet().stream().filter(e -> Arrays.equals(e.getValue(), payload))
                    .map(Map.Entry::getKey).findFirst().orElseThrow();
            connection.sync().hset(key, payloadField, Arrays.copyOf(payload, payload.length / 2));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aHungRedisNeverBlocksReadersAndOwedInvalidationsRemoveStaleCopies() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             SyncEngine engine = SyncEngine.start(config(redis.url()))) {
            engine.submit("doc/1", utf8("old")).join();
            engine.forceFlush().join();
            assertThat(engine.status("doc/1")).isEqualTo(new ItemStatus.Synced(true, true, true));

            redis.pause();
            try {
                engine.submit("doc/1", utf8("new")).join();
                engine.forceFlush().get(10, TimeUnit.SECONDS);
                engine.clearL1();
                assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
                    assertThat(engine.get("doc/1").orElseThrow().payload()).isEqualTo(utf8("new"));
                    assertThat(engine.get("doc/1").orElseThrow().payload()).isEqualTo(utf8("new"));
                });
                assertThat(engine.healthCheck().healthy()).isFalse();
            } finally {
                redis.resume();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!engine.healthCheck().healthy() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(engine.healthCheck().healthy()).as("repaired and healthy: %s", engine.healthCheck()).isTrue();
            engine.clearL1();
            assertThat(engine.get("doc/1").orElseThrow().payload())
                    .as("Redis no longer serves the copy written before the outage").isEqualTo(utf8("new"));
        }
    }

    @Test
    void anEngineStartsWithRedisDownAndUsesItOnceItAnswers() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start()) {
            redis.kill9();
            try (SyncEngine engine = SyncEngine.start(config(redis.url()))) {
                engine.submit("k/1", utf8("v")).join();
                engine.forceFlush().get(10, TimeUnit.SECONDS);
                engine.clearL1();
                assertThat(engine.get("k/1").orElseThrow().payload()).isEqualTo(utf8("v"));
                redis.restart();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!engine.healthCheck().healthy() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                engine.submit("k/2", utf8("w")).join();
                engine.forceFlush().join();
                assertThat(engine.status("k/2")).isEqualTo(new ItemStatus.Synced(true, true, true));
            }
        }
    }

    @Test
    void withoutSqlRedisIsTheGroundTruthForScans() {
        SyncEngineConfig config = config(SHARED_REDIS).toBuilder().sqlEnabled(false).build();
        try (SyncEngine engine = SyncEngine.start(config)) {
            for (int i = 0; i < 25; i++) {
                engine.submitWith("scan/" + i, utf8("{\"i\":" + i + "}"), SubmitOptions.defaults().withState("s"));
            }
            assertThat(engine.countPrefix("scan/")).isEqualTo(25);
            engine.forceFlush().join();
            assertThat(engine.scanPrefix("scan/", 100)).hasSize(25);
            assertThat(engine.countByState("s")).isEqualTo(25);
            assertThat(engine.deletePrefix("scan/").join()).isEqualTo(25);
            engine.forceFlush().join();
            assertThat(engine.countPrefix("scan/")).isZero();
            assertThat(List.of(engine.status("scan/3"))).containsExactly(new ItemStatus.Missing());
        }
    }

    @Test
    void theEngineKeepsRedisUnderItsMemoryLimitWhileL3KeepsEverything() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start("--maxmemory", "4mb", "--maxmemory-policy", "noeviction")) {
            SyncEngineConfig config = config(redis.url()).toBuilder().l1MaxBytes(1L << 20).build();
            byte[] payload = new byte[10_000];
            try (SyncEngine engine = SyncEngine.start(config)) {
                for (int round = 0; round < 12; round++) {
                    for (int i = 0; i < 50; i++) {
                        payload[0] = (byte) i;
                        engine.submit("blob/" + (round * 50 + i), payload);
                    }
                    engine.forceFlush().get(10, TimeUnit.SECONDS);
                    Thread.sleep(300);
                }
                long limit = (long) (0.75 * 4 * 1024 * 1024);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while ((usedMemory(redis.url()) >= limit || !engine.healthCheck().healthy())
                        && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertThat(engine.stats().l2Items()).as("items left in Redis after eviction").isLessThan(600);
                assertThat(usedMemory(redis.url())).as("Redis used_memory after the engine's eviction")
                        .isLessThan(limit);
                assertThat(engine.healthCheck().healthy()).as("no write was refused by a full Redis: %s",
                        engine.healthCheck()).isTrue();
                engine.clearL1();
                for (int i = 0; i < 600; i++) {
                    assertThat(engine.get("blob/" + i)).as("blob/%s", i).isPresent();
                }
            }
        }
    }

    private static long usedMemory(String url) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            String info = connection.sync().info("memory");
            return info.lines().filter(line -> line.startsWith("used_memory:"))
                    .mapToLong(line -> Long.parseLong(line.substring("used_memory:".length()).trim()))
                    .findFirst().orElseThrow();
        } finally {
            client.shutdown();
        }
    }
}
