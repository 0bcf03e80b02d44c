package io.tiercache.engine.redis;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The version compare-and-set runs in Redis, so concurrent writers from any number of nodes agree: newest wins. */
class RedisTierCasIT {
    /** A hybrid-clock version of today: far above 2^53, where doubles can no longer tell neighbours apart. */
    private static final long HLC_NOW = 1_795_000_000_000L << 16;
    private static final int WRITERS = 8;
    private static SharedRedis redis;

    @BeforeAll
    static void connect() {
        redis = new SharedRedis();
    }

    @AfterAll
    static void deleteKeys() {
        redis.close();
    }

    private static SyncItem item(String id, long version) {
        return SyncItem.create(id, ("v" + version).getBytes(StandardCharsets.UTF_8), version, "s" + (version % 3),
                SyncItem.NO_EXPIRY, 1L);
    }

    @Test
    void versionsAbove2To53AndNegativeVersionsCompareExactly() throws Exception {
        try (RedisTier tier = RedisTier.open(redis.config("exact:").build(), TimeSource.system())) {
            tier.apply(List.of(new TierWrite.Upsert(item("x/1", HLC_NOW + 1))));
            tier.apply(List.of(new TierWrite.Upsert(item("x/1", HLC_NOW))));
            assertThat(tier.get("x/1").orElseThrow().version()).isEqualTo(HLC_NOW + 1);
            tier.apply(List.of(new TierWrite.Delete("x/1", HLC_NOW + 1)));
            assertThat(tier.get("x/1")).isPresent();
            tier.apply(List.of(new TierWrite.Upsert(item("x/1", HLC_NOW + 2))));
            assertThat(tier.get("x/1").orElseThrow().version()).isEqualTo(HLC_NOW + 2);
            tier.apply(List.of(new TierWrite.Delete("x/1", HLC_NOW + 3)));
            assertThat(tier.get("x/1")).isEmpty();

            tier.apply(List.of(new TierWrite.Upsert(item("x/2", -5)), new TierWrite.Upsert(item("x/2", -10))));
            assertThat(tier.get("x/2").orElseThrow().version()).isEqualTo(-5);
            tier.apply(List.of(new TierWrite.Upsert(item("x/2", Long.MAX_VALUE)),
                    new TierWrite.Upsert(item("x/2", Long.MIN_VALUE))));
            assertThat(tier.get("x/2").orElseThrow().version()).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Test
    void eightConcurrentWritersOnTheSameIdsLeaveTheNewestVersionOfEach() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ids.add((i % 2 == 0 ? "cas/" : "other/") + i);
        }
        List<RedisTier> tiers = new ArrayList<>();
        try {
            for (int i = 0; i < WRITERS / 2; i++) {
                tiers.add(RedisTier.open(redis.config("cas:").build(), TimeSource.system()));
            }
            Map<String, Long> newestUpsert = new ConcurrentHashMap<>();
            race(tiers, (random, writer) -> {
                String id = ids.get(random.nextInt(ids.size()));
                long version = HLC_NOW + ((long) random.nextInt(1 << 20) << 3) + writer;
                newestUpsert.merge(id, version, Math::max);
                return new TierWrite.Upsert(item(id, version));
            });
            RedisTier reader = tiers.get(0);
            for (String id : ids) {
                assertThat(reader.get(id)).as(id).contains(item(id, newestUpsert.get(id)));
            }
            assertCountsAgree(reader, ids.size());

            // Deletes race each other around the stored versions: an item goes iff some delete is newer than it.
            // Deletes of the first half of the ids are never newer than the stored version (equal included).
            Map<String, Long> newestDelete = new ConcurrentHashMap<>();
            race(tiers, (random, writer) -> {
                int index = random.nextInt(ids.size());
                String id = ids.get(index);
                long version = newestUpsert.get(id) - 60_000 + random.nextInt(index < ids.size() / 2 ? 60_001 : 64_000);
                newestDelete.merge(id, version, Math::max);
                return new TierWrite.Delete(id, version);
            });
            long live = 0;
            for (String id : ids) {
                boolean deleted = newestDelete.getOrDefault(id, Long.MIN_VALUE) > newestUpsert.get(id);
                if (deleted) {
                    assertThat(reader.get(id)).as(id).isEmpty();
                } else {
                    assertThat(reader.get(id)).as(id).contains(item(id, newestUpsert.get(id)));
                    live++;
                }
            }
            assertThat(live).as("the race deletes some ids and keeps others").isBetween(1L, ids.size() - 1L);
            assertCountsAgree(reader, live);
        } finally {
            tiers.forEach(RedisTier::close);
        }
    }

    private interface WriteMaker {
        TierWrite make(ThreadLocalRandom random, int writer);
    }

    /** {@value #WRITERS} threads over the tiers, each applying 40 batches of 25 writes, started together. */
    private static void race(List<RedisTier> tiers, WriteMaker maker) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            CyclicBarrier start = new CyclicBarrier(WRITERS);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                RedisTier tier = tiers.get(w % tiers.size());
                done.add(pool.submit(() -> {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int batch = 0; batch < 40; batch++) {
                        List<TierWrite> writes = new ArrayList<>();
                        for (int n = 0; n < 25; n++) {
                            writes.add(maker.make(random, writer));
                        }
                        tier.apply(writes);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertCountsAgree(RedisTier tier, long live) throws Exception {
        long now = System.currentTimeMillis();
        assertThat(tier.countPrefix("", now)).isEqualTo(live);
        assertThat(tier.size()).isEqualTo(live);
        long inStates = 0;
        for (int s = 0; s < 3; s++) {
            inStates += tier.countByState("s" + s, now);
        }
        assertThat(inStates).as("every live item is in exactly one state set").isEqualTo(live);
    }
}
