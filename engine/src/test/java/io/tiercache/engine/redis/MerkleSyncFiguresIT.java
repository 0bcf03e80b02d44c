package io.tiercache.engine.redis;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.SyncOptions;
import io.tiercache.engine.SyncReport;
import io.tiercache.engine.Tier;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.sql.SqlTier;
import io.tiercache.engine.sql.SqlTiers;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merkle/sync figures of {@code benchmarks/README.md}: 100,000 items (property {@code merkle.figures.items}) in
 * SQLite L3 and the shared Redis, 1% of them altered in L2 behind the engine's back (a third deleted, a third
 * rewritten with other payloads, a third junk ids added). Prints the items a sync read, its duration, and the duration
 * of a full-scan comparison of both tiers measured in the same run; asserts that the sync read at most 3% of the
 * items, repaired every alteration and left the roots equal.
 */
class MerkleSyncFiguresIT {
    private static final int ITEMS = Integer.getInteger("merkle.figures.items", 100_000);
    private static final int BATCH = 5_000;
    private static final String[] NAMESPACES = {"users/", "orders/", "carts/", "sessions/"};

    @TempDir
    Path dir;
    private final SharedRedis redis = new SharedRedis();
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    @AfterEach
    void removeKeys() {
        redis.close();
    }

    private static String id(int n) {
        return NAMESPACES[n % NAMESPACES.length] + "item-" + n;
    }

    private static SyncItem item(String id, String payload, long version) {
        return SyncItem.create(id, payload.getBytes(StandardCharsets.UTF_8), version, "default", SyncItem.NO_EXPIRY,
                1_700_000_000_000L);
    }

    @Test
    void aSyncAfterOnePercentDivergenceReadsAtMostThreePercentOfTheItems() throws Exception {
        SyncEngineConfig config = redis.config("f:").dataDir(dir).timeSource(clock::get).merkleSyncIntervalMs(0)
                .redisResponseTimeoutMs(60_000).build();
        long loadStart = System.nanoTime();
        try (SqlTier l3 = SqlTiers.open(config); RedisTier l2 = RedisTier.open(config, clock::get)) {
            for (int from = 0; from < ITEMS; from += BATCH) {
                List<TierWrite> batch = new ArrayList<>(BATCH);
                for (int n = from; n < Math.min(ITEMS, from + BATCH); n++) {
                    batch.add(new TierWrite.Upsert(item(id(n), "{\"n\":" + n + ",\"pad\":\"" + "x".repeat(40) + "\"}",
                            1_000 + n)));
                }
                // Both tiers load at once (test setup only: the figures are about the sync).
                CompletableFuture<Void> l3Load = CompletableFuture.runAsync(() -> {
                    try {
                        l3.apply(batch);
                    } catch (TierAccessException e) {
                        throw new IllegalStateException(e);
                    }
                });
                l2.apply(batch);
                l3Load.join();
            }
            for (String ns : NAMESPACES) {
                // Reading a root settles what the load left to compute, in both tiers, as any first read would.
                l2.merkle().source(ns).nodes(List.of(MerklePath.ROOT));
                l3.merkle().source(ns).nodes(List.of(MerklePath.ROOT));
            }
        }
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;

        int altered = ITEMS / 100;
        Random random = new Random(1);
        Set<String> touched = new HashSet<>();
        try (RedisTier behindItsBack = RedisTier.open(config, clock::get)) {
            List<String> deletes = new ArrayList<>();
            List<TierWrite> writes = new ArrayList<>();
            for (int k = 0; k < altered; k++) {
                if (k % 3 == 2) {
                    writes.add(new TierWrite.Upsert(item(NAMESPACES[k % NAMESPACES.length] + "junk-" + k, "junk", 1)));
                    continue;
                }
                String id;
                do {
                    id = id(random.nextInt(ITEMS));
                } while (!touched.add(id));
                if (k % 3 == 0) {
                    deletes.add(id);
                } else {
                    writes.add(new TierWrite.Upsert(item(id, "altered", 10_000_000L + k)));
                }
            }
            behindItsBack.invalidate(deletes);
            behindItsBack.apply(writes);
        }
        // Newer copies just written would pass for writes on their way to L3 (see BucketRepair): let them age.
        clock.addAndGet(MerkleSyncIT.IN_FLIGHT_MS);

        try (SyncEngine engine = SyncEngine.start(config.toBuilder().build());
             SqlTier l3 = SqlTiers.openSqlite(dir.resolve("l3.db"));
             RedisTier l2 = RedisTier.open(config, clock::get)) {
            // The engine compared the trees at start; read what that run did, then time a full scan and a fresh run.
            SyncReport sync = engine.lastSyncReport().orElseThrow();
            long scanStart = System.nanoTime();
            int differences = fullScanDifferences(l3, l2);
            double scanMillis = (System.nanoTime() - scanStart) / 1e6;
            SyncReport again = engine.sync(SyncOptions.defaults());

            double syncMillis = sync.duration().toNanos() / 1e6;
            System.out.printf("merkle sync figures: %,d items, %,d altered in L2 (load %.1f s)%n", ITEMS, altered,
                    loadSeconds);
            System.out.printf("  sync: %.0f ms, read %,d items (%.2f%% of the items), %,d buckets, %,d tree nodes"
                            + " compared; L2 %,d rewritten, %,d removed%n", syncMillis, sync.itemsRead(),
                    100.0 * sync.itemsRead() / ITEMS, sync.bucketsCompared(), sync.nodesCompared(),
                    sync.tier(Tier.L2).repaired(), sync.tier(Tier.L2).removed());
            System.out.printf("  full-scan comparison: %.0f ms, read %,d items (both tiers), found %,d differences"
                            + " after the sync%n", scanMillis, 2L * ITEMS, differences);
            System.out.printf("  sync / full scan: %.3f; second sync: %.0f ms, %d buckets%n", syncMillis / scanMillis,
                    again.duration().toNanos() / 1e6, again.bucketsCompared());

            assertThat(sync.clean()).as(sync.toString()).isTrue();
            assertThat(sync.itemsRead()).as("items read by the sync").isLessThanOrEqualTo(ITEMS * 3L / 100);
            assertThat(sync.tier(Tier.L2).repaired() + sync.tier(Tier.L2).removed()).isEqualTo(altered);
            assertThat(differences).as("tiers compared item by item after the sync").isZero();
            assertThat(syncMillis).as("sync time vs full scan time").isLessThan(scanMillis);
            assertThat(again.bucketsCompared()).isZero();
            for (String ns : NAMESPACES) {
                assertThat(engine.isMerkleSynced(ns)).isTrue();
            }
        }
    }

    /** What a comparison without trees must do: read every item of both tiers and compare them. */
    private int fullScanDifferences(ItemTier l3, ItemTier l2) throws Exception {
        Map<String, String> truth = new HashMap<>();
        readAll(l3, truth);
        Map<String, String> cached = new HashMap<>();
        readAll(l2, cached);
        int differences = 0;
        for (Map.Entry<String, String> e : truth.entrySet()) {
            if (!e.getValue().equals(cached.get(e.getKey()))) {
                differences++;
            }
        }
        for (String id : cached.keySet()) {
            if (!truth.containsKey(id)) {
                differences++;
            }
        }
        return differences;
    }

    private void readAll(ItemTier tier, Map<String, String> into) throws Exception {
        String after = null;
        while (true) {
            List<SyncItem> page = tier.scanPrefix("", after, BATCH, clock.get());
            for (SyncItem item : page) {
                into.put(item.id(), item.contentHash() + "@" + item.version());
            }
            if (page.size() < BATCH) {
                return;
            }
            after = page.get(page.size() - 1).id();
        }
    }
}
