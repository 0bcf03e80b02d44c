package io.tiercache.engine.redis;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerkleNamespaces;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.MerkleTree;
import io.tiercache.engine.merkle.SqlMerkleStore;
import io.tiercache.engine.sql.SqlTier;
import io.tiercache.engine.sql.SqlTiers;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * L2 keeps its merkle trees in Redis in step with its items: after random batches (stale versions the scripts
 * refuse, deletes, invalidations, expiry purges) each namespace's stored tree equals a tree rebuilt from scratch over
 * the items Redis holds, and equals the tree L3 keeps for the same batches.
 */
class RedisMerkleIT extends RedisTierFixture {
    private static final String[] NAMESPACES = {"ns0/", "ns1/", MerkleNamespaces.ROOT};
    private final AtomicLong clock = new AtomicLong(1_000_000);
    @TempDir
    Path dir;
    private SqlTier l3;

    @Override
    String subPrefixStem() {
        return "m";
    }

    @BeforeEach
    void openWithClockAndL3() throws Exception {
        tier.close();
        String sub = "m" + System.nanoTime() + ":";
        tier = RedisTier.open(redis.config(sub).build(), clock::get);
        keys = new RedisKeys(redis.prefix() + sub);
        l3 = SqlTiers.openSqlite(dir.resolve("l3.db"));
        l3.enableMerkle();
    }

    @AfterEach
    void closeL3() {
        l3.close();
    }

    @Test
    void randomBatchesLeaveL2TreesEqualToRebuiltTreesAndToL3() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 30; round++) {
            List<TierWrite> batch = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(40); i < n; i++) {
                String ns = NAMESPACES[random.nextInt(NAMESPACES.length)];
                String id = (ns.equals(MerkleNamespaces.ROOT) ? "" : ns) + "k" + random.nextInt(60);
                long version = 1 + random.nextInt(40);
                if (random.nextInt(4) == 0) {
                    batch.add(new TierWrite.Delete(id, version));
                } else {
                    // Redis deadlines run in real time: minutes away, so only the purges on our clock remove items
                    // (a key Redis drops by itself stays in the tree until the next purge, as the next test shows).
                    long expiresAt = random.nextInt(6) == 0 ? clock.get() + 60_000L * (1 + random.nextInt(5))
                            : SyncItem.NO_EXPIRY;
                    batch.add(new TierWrite.Upsert(SyncItem.create(id, ("p" + random.nextInt(3))
                            .getBytes(StandardCharsets.UTF_8), version, "default", expiresAt, clock.get())));
                }
            }
            // Ids are distinct per batch in the engine (the flusher keeps the newest write per id).
            Map<String, TierWrite> newest = new HashMap<>();
            batch.forEach(w -> newest.merge(w.id(), w, (a, b) -> b.version() >= a.version() ? b : a));
            List<TierWrite> writes = new ArrayList<>(newest.values());
            tier.apply(writes);
            l3.apply(writes);
            if (round % 5 == 4) {
                clock.addAndGet(60_000);
                tier.purgeExpired(clock.get());
                l3.purgeExpired(clock.get());
            }
            if (round % 9 == 8) {
                List<String> dropped = writes.stream().limit(3).map(TierWrite::id).toList();
                tier.invalidate(dropped);
                l3.apply(dropped.stream().<TierWrite>map(id -> new TierWrite.Delete(id, Long.MAX_VALUE)).toList());
            }
            for (String ns : NAMESPACES) {
                SortedMap<MerklePath, Digest256> stored = storedL2(ns);
                assertThat(stored).as("round %d: L2 tree of %s", round, ns).isEqualTo(rebuiltFromL2(ns).nodes());
                assertThat(stored).as("round %d: L2 tree of %s equals L3's", round, ns)
                        .isEqualTo(storedL3(ns));
            }
        }
    }

    @Test
    void garbageInTheTreeHashIsReadAsEmptyAndASettleRewritesIt() throws Exception {
        tier.apply(List.of(new TierWrite.Upsert(SyncItem.create("ns0/a", new byte[]{1}, 1, "default",
                SyncItem.NO_EXPIRY, 0))));
        byte[] mt = RedisKeys.bytes(keys.base("ns0/") + "mt");
        assertThat(storedL2("ns0/")).isEqualTo(rebuiltFromL2("ns0/").nodes());
        redis.raw().hset(mt, RedisKeys.bytes("r"), RedisKeys.bytes("not a digest"));
        assertThat(tier.merkle().source("ns0/").nodes(List.of(MerklePath.ROOT))).isEmpty();
        tier.merkle().settle("ns0/", List.of(MerklePath.bucketOf("ns0/a")));
        assertThat(storedL2("ns0/")).isEqualTo(rebuiltFromL2("ns0/").nodes());
    }

    @Test
    void manyBatchesShareOneRecomputationOfTheUpperLevelsWhenTheTreeIsRead() throws Exception {
        for (int batch = 0; batch < 5; batch++) {
            List<TierWrite> writes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                writes.add(new TierWrite.Upsert(SyncItem.create("ns1/b" + batch + "-" + i, new byte[]{(byte) i},
                        1, "default", SyncItem.NO_EXPIRY, 0)));
            }
            tier.apply(writes);
        }
        byte[] dirty = RedisKeys.bytes(keys.base("ns1/") + "mdirty");
        assertThat(redis.raw().scard(dirty)).as("leaves waiting for their parents").isPositive();
        assertThat(storedL2("ns1/")).isEqualTo(rebuiltFromL2("ns1/").nodes());
        assertThat(redis.raw().scard(dirty)).isZero();
    }

    @Test
    void anItemRedisDroppedByItselfLeavesTheTreeAtTheNextPurge() throws Exception {
        SyncItem shortLived = SyncItem.create("ns0/short", new byte[]{1}, 1, "default", clock.get() + 100, 0);
        SyncItem kept = SyncItem.create("ns0/kept", new byte[]{2}, 1, "default", SyncItem.NO_EXPIRY, 0);
        tier.apply(List.of(new TierWrite.Upsert(shortLived), new TierWrite.Upsert(kept)));
        long deadline = System.currentTimeMillis() + 5_000;
        while (redis.raw().exists(keys.item("ns0/short")) > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(storedL2("ns0/")).as("Redis dropped the key, the tree does not know yet")
                .isNotEqualTo(rebuiltFromL2("ns0/").nodes());
        clock.addAndGet(100);
        tier.purgeExpired(clock.get());
        assertThat(storedL2("ns0/")).isEqualTo(rebuiltFromL2("ns0/").nodes())
                .isEqualTo(MerkleTree.build(Map.of("ns0/kept", ItemState.of(kept))).nodes());
    }

    /** The stored tree as raw Redis holds it, after a read through the tier settled what was dirty. */
    private SortedMap<MerklePath, Digest256> storedL2(String ns) throws Exception {
        tier.merkle().source(ns).nodes(List.of(MerklePath.ROOT));
        Map<byte[], byte[]> raw = redis.raw().hgetall(RedisKeys.bytes(keys.base(RedisMerkle.redisNamespace(ns)) + "mt"));
        SortedMap<MerklePath, Digest256> out = new TreeMap<>();
        raw.forEach((field, value) -> {
            String f = new String(field, StandardCharsets.UTF_8);
            out.put(f.equals("r") ? MerklePath.ROOT : MerklePath.of(f),
                    Digest256.fromHex(new String(value, StandardCharsets.UTF_8)));
        });
        return out;
    }

    private MerkleTree rebuiltFromL2(String ns) throws Exception {
        Map<String, ItemState> items = new HashMap<>();
        tier.merkle().scanItems(ns).forEach((id, item) -> items.put(id, ItemState.of(item)));
        return MerkleTree.build(items);
    }

    private SortedMap<MerklePath, Digest256> storedL3(String ns) throws Exception {
        l3.merkle().settleTree(ns);
        org.sqlite.SQLiteDataSource ds = new org.sqlite.SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("l3.db"));
        return new SqlMerkleStore(ds, SqlMerkleStore.Dialect.SQLITE).loadAll(ns);
    }
}
