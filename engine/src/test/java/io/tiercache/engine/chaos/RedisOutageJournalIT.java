package io.tiercache.engine.chaos;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.redis.RedisTier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Items updated while Redis hangs (SIGSTOP: it keeps the copies it had) are owed to it as invalidations; once it
 * answers again it must hold no copy older than the updates, read straight from Redis through a second tier on the
 * same prefix. The owed invalidations live in the repair journal, so an engine restarted in the middle of the
 * outage still pays them.
 */
class RedisOutageJournalIT {
    private static final int ITEMS = 40;
    private static final int UPDATED = 20;

    @TempDir
    Path dir;

    private SyncEngineConfig config(PrivateRedis redis) {
        return SyncEngineConfig.builder().dataDir(dir).redisUrl(redis.url()).redisPrefix("journal:")
                .redisTimeoutMs(300).redisResponseTimeoutMs(300).sqlRetryBackoffMs(100).batchFlushMs(20).build();
    }

    @ParameterizedTest(name = "engine restarted during the outage: {0}")
    @ValueSource(booleans = {false, true})
    void redisHoldsNoStaleCopyAfterAnOutage(boolean restartDuringOutage) throws Exception {
        try (PrivateRedis redis = PrivateRedis.start()) {
            SyncEngineConfig config = config(redis);
            SyncEngine engine = SyncEngine.start(config);
            Map<String, Long> newest = new HashMap<>();
            try {
                for (int i = 0; i < ITEMS; i++) {
                    newest.put(id(i), engine.submit(id(i), utf8("{\"v\":1}")).join().version());
                }
                engine.forceFlush().get(10, TimeUnit.SECONDS);
                assertThat(redisCopies(config)).as("every item reached Redis before the outage").hasSize(ITEMS);

                redis.pause();
                try {
                    for (int i = 0; i < UPDATED; i++) {
                        String id = id(i);
                        SyncItem v2 = engine.submit(id, utf8("{\"v\":2}")).join();
                        newest.put(id, v2.version());
                    }
                    engine.delete(id(UPDATED)).get(10, TimeUnit.SECONDS);
                    newest.put(id(UPDATED), Long.MAX_VALUE);
                    engine.forceFlush().get(10, TimeUnit.SECONDS);
                    assertThat(engine.healthCheck().backends().get(Tier.L2))
                            .contains((UPDATED + 1) + " invalidations owed");
                    if (restartDuringOutage) {
                        engine.shutdown();
                        engine = SyncEngine.start(config);
                        assertThat(engine.healthCheck().backends().get(Tier.L2))
                                .as("the new engine read what is owed from the repair journal")
                                .contains((UPDATED + 1) + " invalidations owed");
                    }
                } finally {
                    redis.resume();
                }
                awaitHealthy(engine);
                Map<String, SyncItem> inRedis = redisCopies(config);
                List<String> stale = new ArrayList<>();
                newest.forEach((id, version) -> {
                    SyncItem copy = inRedis.get(id);
                    if (copy != null && copy.version() < version) {
                        stale.add(id + " v" + copy.version() + " < v" + version);
                    }
                });
                assertThat(stale).as("copies in Redis older than the newest write").isEmpty();
                assertThat(inRedis).as("items not updated keep their copy").containsKey(id(ITEMS - 1));

                engine.clearL1();
                for (int i = 0; i < UPDATED; i++) {
                    assertThat(engine.get(id(i)).orElseThrow().payload()).as(id(i)).isEqualTo(utf8("{\"v\":2}"));
                }
                assertThat(engine.get(id(UPDATED))).isEmpty();
            } finally {
                engine.close();
            }
        }
    }

    private static String id(int i) {
        return "doc/" + i;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** What Redis holds for every id, read directly (not through the engine). */
    private static Map<String, SyncItem> redisCopies(SyncEngineConfig config) throws Exception {
        Map<String, SyncItem> copies = new HashMap<>();
        try (RedisTier direct = RedisTier.open(config, TimeSource.system())) {
            for (int i = 0; i < ITEMS; i++) {
                Optional<SyncItem> copy = direct.get(id(i));
                copy.ifPresent(item -> copies.put(item.id(), item));
            }
        }
        return copies;
    }

    private static void awaitHealthy(SyncEngine engine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!engine.healthCheck().healthy() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(engine.healthCheck().healthy()).as("repaired: %s", engine.healthCheck()).isTrue();
    }
}
