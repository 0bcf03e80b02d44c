package io.tiercache.engine.redis;

import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.SyncOptions;
import io.tiercache.engine.SyncReport;
import io.tiercache.engine.Tier;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.MerkleTree;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine keeps L2's and L3's merkle trees equal through writes, deletes and expiry, and {@code sync()} repairs
 * exactly what was altered in Redis behind its back: through another writer's scripts (the trees see it), or raw
 * commands (only a deep run sees those). Shared Redis under a unique prefix, SQLite L3, injected clock.
 */
class MerkleSyncIT {
    @TempDir
    Path dir;
    private final SharedRedis redis = new SharedRedis();
    /** Just over the time sync gives a newer L2 copy to reach L3 ({@code BucketRepair.IN_FLIGHT_MS}). */
    static final long IN_FLIGHT_MS = 60_001;
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    @AfterEach
    void removeKeys() {
        redis.close();
    }

    SyncEngineConfig config() {
        // A generous response timeout: a batch L2 missed on a loaded machine would be owed, and counts would move.
        return withL3(redis.config("e:").dataDir(dir).timeSource(clock::get).merkleSyncIntervalMs(0)
                .redisResponseTimeoutMs(30_000)).build();
    }

    /** The L3 the engines use: SQLite under the test's folder here; MariaDbMerkleSyncIT swaps in MariaDB. */
    SyncEngineConfig.Builder withL3(SyncEngineConfig.Builder builder) {
        return builder;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void fill(SyncEngine engine, int count) {
        for (int i = 0; i < count; i++) {
            engine.submit((i % 3 == 0 ? "users/" : i % 3 == 1 ? "orders/" : "") + "k" + i, utf8("{\"n\":" + i + "}"));
        }
        engine.forceFlush().join();
    }

    private static void assertSynced(SyncEngine engine) {
        assertSynced(engine, "users", "orders", "");
    }

    private static void assertSynced(SyncEngine engine, String... namespaces) {
        for (String ns : namespaces) {
            Map<Tier, String> roots = engine.merkleRoots(ns);
            assertThat(roots).as("roots of '%s'", ns).containsKeys(Tier.L2, Tier.L3);
            assertThat(roots.get(Tier.L2)).as("L2 root of '%s'", ns).isEqualTo(roots.get(Tier.L3));
            assertThat(engine.isMerkleSynced(ns)).isTrue();
        }
    }

    @Test
    void l2AndL3RootsAgreeAfterWritesDeletesAndExpiry() {
        try (SyncEngine engine = SyncEngine.start(config())) {
            fill(engine, 300);
            for (int i = 0; i < 300; i += 7) {
                engine.delete((i % 3 == 0 ? "users/" : i % 3 == 1 ? "orders/" : "") + "k" + i);
            }
            for (int i = 0; i < 20; i++) {
                engine.submitWith("users/ttl" + i, utf8("t"), SubmitOptions.defaults().withTtl(Duration.ofSeconds(30)));
            }
            engine.submitWith("users/cache-only", utf8("c"), SubmitOptions.cache(Duration.ofMinutes(5)));
            engine.forceFlush().join();
            assertSynced(engine);
            assertThat(engine.getMerkleRoot("users")).isNotEqualTo(Digest256.ZERO);

            clock.addAndGet(31_000);
            SyncReport report = engine.sync(SyncOptions.defaults());
            assertThat(report.clean()).as(report.toString()).isTrue();
            assertThat(report.bucketsCompared()).as("expiry purged from both trees: nothing differs").isZero();
            assertSynced(engine);
            Map<String, ItemState> users = new HashMap<>();
            engine.scanPrefix("users/", 1000).stream().filter(item -> !item.id().equals("users/cache-only"))
                    .forEach(item -> users.put(item.id(), ItemState.of(item)));
            assertThat(engine.getMerkleRoot("users")).as("tree of the live rows")
                    .isEqualTo(MerkleTree.build(users).root());
        }
    }

    @Test
    void syncRepairsExactlyWhatAnotherWriterAlteredInL2() throws Exception {
        try (SyncEngine engine = SyncEngine.start(config());
             RedisTier behindItsBack = RedisTier.open(config(), clock::get)) {
            fill(engine, 300);
            List<String> deleted = List.of("users/k0", "users/k3", "orders/k1", "k2", "k5");
            behindItsBack.invalidate(deleted);
            List<TierWrite> changed = new ArrayList<>();
            for (String id : List.of("users/k6", "users/k9", "orders/k4", "orders/k7", "k8")) {
                SyncItem current = behindItsBack.get(id).orElseThrow();
                changed.add(new TierWrite.Upsert(SyncItem.create(id, utf8("junk"), current.version() + 1,
                        "default", SyncItem.NO_EXPIRY, clock.get())));
            }
            for (String id : List.of("users/junk1", "users/junk2", "orders/junk", "junk4", "junk5")) {
                changed.add(new TierWrite.Upsert(SyncItem.create(id, utf8("junk"), 1, "default",
                        SyncItem.NO_EXPIRY, clock.get())));
            }
            behindItsBack.apply(changed);
            assertThat(engine.isMerkleSynced("users")).isFalse();
            // Newer than L3 and just written, these would pass for writes on their way to L3: let them age.
            clock.addAndGet(IN_FLIGHT_MS);

            SyncReport dry = engine.sync(SyncOptions.builder().dryRun(true).build());
            assertThat(dry.bucketsCompared()).isBetween(1L, 15L);
            assertThat(dry.tier(Tier.L2).repaired()).isZero();

            SyncReport report = engine.sync(SyncOptions.defaults());
            System.out.println("sync after 15 alterations: " + report);
            assertThat(report.clean()).as(report.toString()).isTrue();
            assertThat(report.tier(Tier.L2).repaired()).as("re-added and rewritten").isEqualTo(10);
            assertThat(report.tier(Tier.L2).removed()).as("junk removed").isEqualTo(5);
            assertThat(report.bucketsCompared()).isBetween(1L, 15L);
            assertSynced(engine);
            for (String id : deleted) {
                assertThat(behindItsBack.get(id)).as(id).isPresent();
            }
            assertThat(behindItsBack.get("users/k6").orElseThrow().payload()).isEqualTo(utf8("{\"n\":6}"));
            assertThat(behindItsBack.get("users/junk1")).isEmpty();

            SyncReport again = engine.sync(SyncOptions.defaults());
            assertThat(again.bucketsCompared()).isZero();
            assertThat(again.tier(Tier.L2)).isEqualTo(SyncReport.TierCounts.NONE);
        }
    }

    @Test
    void onlyADeepSyncSeesRawCommandsAndItRepairsExactlyThose() throws Exception {
        try (SyncEngine engine = SyncEngine.start(config())) {
            fill(engine, 60);
            RedisKeys keys = new RedisKeys(redis.prefix() + "e:");
            redis.raw().del(keys.item("users/k0"));
            redis.raw().hset(keys.item("users/k3"), utf8("payload"), utf8("tampered"));
            redis.raw().hset(keys.item("users/raw-junk"), Map.of(utf8("payload"), utf8("x"), utf8("hash"),
                    utf8("00"), utf8("version"), utf8("1")));

            SyncReport shallow = engine.sync(SyncOptions.defaults());
            assertThat(shallow.bucketsCompared()).as("the stored trees did not see raw commands").isZero();

            SyncReport deep = engine.sync(SyncOptions.builder().deep(true).build());
            System.out.println("deep sync after 3 raw alterations: " + deep);
            assertThat(deep.clean()).as(deep.toString()).isTrue();
            assertThat(deep.tier(Tier.L2).repaired()).isEqualTo(2);
            assertThat(deep.tier(Tier.L2).removed()).isEqualTo(1);
            assertThat(redis.raw().exists(keys.item("users/raw-junk"))).isZero();
            assertThat(redis.raw().hget(keys.item("users/k3"), utf8("payload"))).isEqualTo(utf8("{\"n\":3}"));
            assertSynced(engine);
            assertThat(engine.sync(SyncOptions.builder().deep(true).build()).bucketsCompared()).isZero();
        }
    }

    /**
     * A conditional write reaches Redis first and L3 with the next flush, on whichever node made it: a sync in
     * between must not take it away (other nodes compare-and-set against it). Once it is old, it is junk.
     */
    @Test
    void aNewerWriteStillOnItsWayToL3IsLeftAloneUntilItIsOld() throws Exception {
        try (SyncEngine engine = SyncEngine.start(config());
             RedisTier otherNode = RedisTier.open(config(), clock::get)) {
            fill(engine, 30);
            SyncItem current = otherNode.get("users/k3").orElseThrow();
            otherNode.apply(List.of(new TierWrite.Upsert(SyncItem.create("users/k3", utf8("{\"n\":33}"),
                    current.version() + 1, "default", SyncItem.NO_EXPIRY, clock.get())),
                    new TierWrite.Upsert(SyncItem.create("users/fresh", utf8("{}"), current.version() + 1, "default",
                            SyncItem.NO_EXPIRY, clock.get()))));
            engine.sync(SyncOptions.defaults());
            assertThat(otherNode.get("users/k3").orElseThrow().payload()).isEqualTo(utf8("{\"n\":33}"));
            assertThat(otherNode.get("users/fresh")).isPresent();

            clock.addAndGet(IN_FLIGHT_MS);
            SyncReport late = engine.sync(SyncOptions.defaults());
            assertThat(late.tier(Tier.L2).removed()).as(late.toString()).isGreaterThanOrEqualTo(1);
            assertThat(otherNode.get("users/fresh")).isEmpty();
            assertThat(otherNode.get("users/k3").orElseThrow().payload()).as("never reached L3: junk by now")
                    .isEqualTo(utf8("{\"n\":3}"));
        }
    }

    @Test
    void theStartupComparisonRepairsWhatChangedWhileTheEngineWasDown() throws Exception {
        try (SyncEngine engine = SyncEngine.start(config())) {
            fill(engine, 90);
        }
        try (RedisTier behindItsBack = RedisTier.open(config(), clock::get)) {
            behindItsBack.invalidate(List.of("users/k0", "orders/k1"));
            behindItsBack.apply(List.of(new TierWrite.Upsert(SyncItem.create("users/ghost", utf8("g"), 1, "default",
                    SyncItem.NO_EXPIRY, clock.get()))));
        }
        clock.addAndGet(IN_FLIGHT_MS);
        try (SyncEngine engine = SyncEngine.start(config())) {
            SyncReport atStart = engine.lastSyncReport().orElseThrow();
            assertThat(atStart.clean()).as(atStart.toString()).isTrue();
            assertThat(atStart.tier(Tier.L2).repaired()).isEqualTo(2);
            assertThat(atStart.tier(Tier.L2).removed()).isEqualTo(1);
            assertSynced(engine);
        }
    }

    @Test
    void aRunStoppedByItsTimeBudgetIsResumedAfterItsLastCompletedBranch() throws Exception {
        try (SyncEngine engine = SyncEngine.start(config());
             RedisTier behindItsBack = RedisTier.open(config(), clock::get)) {
            fill(engine, 600);
            List<String> victims = new ArrayList<>();
            for (int i = 0; i < 600; i += 3) {
                victims.add("users/k" + i);
            }
            behindItsBack.invalidate(victims);
            SyncReport first = engine.sync(SyncOptions.builder().namespaces("users")
                    .timeBudget(Duration.ofNanos(1)).build());
            assertThat(first.complete()).isFalse();
            assertThat(first.tier(Tier.L2).repaired()).isBetween(1L, 199L);
            SyncReport rest = engine.sync(SyncOptions.builder().namespaces("users").build());
            assertThat(rest.resumed()).isTrue();
            assertThat(rest.complete()).isTrue();
            assertThat(first.tier(Tier.L2).repaired() + rest.tier(Tier.L2).repaired()).isEqualTo(200);
            assertSynced(engine, "users");
        }
    }

    @Test
    void theBackgroundScheduleRepairsWithoutBeingAsked() throws Exception {
        SyncEngineConfig scheduled = config().toBuilder().merkleSyncIntervalMs(200).merkleCalcJitterMs(50).build();
        try (SyncEngine engine = SyncEngine.start(scheduled);
             RedisTier behindItsBack = RedisTier.open(scheduled, clock::get)) {
            fill(engine, 30);
            behindItsBack.invalidate(List.of("users/k0"));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (!engine.isMerkleSynced("users") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertSynced(engine, "users");
            assertThat(behindItsBack.get("users/k0")).isPresent();
        }
    }

    @Test
    void syncsRunningAlongsideWritesNeverLeaveL2BehindL3() throws Exception {
        SyncEngineConfig busy = config().toBuilder().batchFlushMs(5).build();
        try (SyncEngine engine = SyncEngine.start(busy);
             RedisTier behindItsBack = RedisTier.open(busy, clock::get)) {
            fill(engine, 90);
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int n = 0; running.get(); n++) {
                    String id = "users/k" + (3 * (n % 30));
                    if (n % 11 == 0) {
                        engine.delete(id);
                    } else {
                        engine.submit(id, utf8("{\"n\":" + n + "}"));
                    }
                }
            });
            writer.start();
            long syncs = 0;
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < until) {
                behindItsBack.invalidate(List.of("users/k" + (3 * (syncs % 30))));
                engine.sync(SyncOptions.defaults());
                syncs++;
            }
            running.set(false);
            writer.join();
            engine.forceFlush().join();
            SyncReport last = engine.sync(SyncOptions.defaults());
            assertThat(last.clean()).as(last.toString()).isTrue();
            SyncReport check = engine.sync(SyncOptions.builder().deep(true).dryRun(true).build());
            assertThat(check.bucketsCompared()).as("L2's items, read one by one, equal L3's after %d syncs", syncs)
                    .isZero();
            assertSynced(engine);
        }
    }

    @Test
    void garbageNodesInEitherTreeReadAsDivergentAndSyncRewritesThem() throws Exception {
        try (SyncEngine engine = SyncEngine.start(config())) {
            fill(engine, 60);
            RedisKeys keys = new RedisKeys(redis.prefix() + "e:");
            byte[] mt = RedisKeys.bytes(keys.base("users/") + "mt");
            MerklePath leaf = MerklePath.bucketOf("users/k0");
            redis.raw().hset(mt, RedisKeys.bytes(leaf.hex()), utf8("garbage"));
            redis.raw().hset(mt, RedisKeys.bytes("r"), utf8("zz"));
            assertThat(engine.isMerkleSynced("users")).isFalse();
            SyncReport report = engine.sync(SyncOptions.defaults());
            assertThat(report.clean()).as(report.toString()).isTrue();
            assertSynced(engine);
        }
    }
}
