package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The existence filter on the embedded default (SQLite L3, no Redis): a miss of a never-written id does not query
 * L3, every written id is still found (flushed, replayed from the WAL, written behind the engine's back and caught
 * by verification), and snapshots are trusted at restart only when intact and taken of this L3 in its current state.
 * L3 queries are counted by the engine's own {@code l3Reads}.
 */
class CuckooFilterEngineTest extends EngineTestSupport {

    private SyncEngine startTrusted(SyncEngineConfig config) throws InterruptedException {
        start(config);
        awaitFilter(FilterStats::trusted);
        return engine;
    }

    private void awaitFilter(Predicate<FilterStats> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.test(engine.stats().filter()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(engine.stats().filter()).matches(condition, "the awaited filter state");
    }

    private SyncEngine restartTrusted() throws InterruptedException {
        restart();
        awaitFilter(FilterStats::trusted);
        return engine;
    }

    @Test
    void aMissOfANeverWrittenIdDoesNotQueryL3() throws Exception {
        startTrusted(config().build());
        EngineStats before = engine.stats();
        for (int i = 0; i < 100; i++) {
            assertThat(engine.get("never/" + i)).isEmpty();
            assertThat(engine.contains("never/x" + i)).isFalse();
        }
        assertThat(engine.getMany(List.of("never/a", "never/b", "never/c"))).isEmpty();
        EngineStats after = engine.stats();
        assertThat(after.l3Reads()).isEqualTo(before.l3Reads());
        assertThat(after.filter().skips() - before.filter().skips()).isEqualTo(203);
        assertThat(after.misses() - before.misses()).isEqualTo(203);
    }

    @Test
    void writtenIdsAreFoundInL3AfterL1IsCleared() throws Exception {
        startTrusted(config().build());
        for (int i = 0; i < 200; i++) {
            engine.submit("kept/" + i, bytes("v" + i)).join();
        }
        engine.forceFlush().join();
        engine.clearL1();
        long reads = engine.stats().l3Reads();
        for (int i = 0; i < 200; i++) {
            assertThat(engine.get("kept/" + i)).as("kept/%d", i).isPresent();
        }
        engine.clearL1();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add("kept/" + i);
            ids.add("gone/" + i);
        }
        Map<String, SyncItem> found = engine.getMany(ids);
        assertThat(found).hasSize(200);
        assertThat(engine.stats().l3Reads() - reads).isEqualTo(201);
    }

    @Test
    void aWriteThroughAnL1EntryOfAQueuedDeleteIsRecorded() throws Exception {
        startTrusted(config().build());
        // A queued delete of an id the filter never held: a write it absorbs must record the id itself.
        engine.delete("never/1", Durability.MEMORY).join();
        L1Ref ref = engine.l1Ref("never/1");
        assertThat(ref).as("L1 keeps the delete's tombstone").isNotNull();
        engine.submitOwned(ref, bytes("written"), SubmitOptions.defaults()).join();
        assertThat(engine.stats().queuedWrites()).as("absorbed by the queued delete").isEqualTo(1);

        engine.forceFlush().join();
        engine.clearL1();
        assertThat(engine.get("never/1")).map(EngineTestSupport::text).contains("written");
    }

    @Test
    void aDeletedIdStaysInTheFilterAndIsAnsweredByL3() throws Exception {
        startTrusted(config().build());
        engine.submit("del/1", bytes("x")).join();
        engine.delete("del/1").join();
        engine.forceFlush().join();
        engine.clearL1();
        long reads = engine.stats().l3Reads();
        assertThat(engine.get("del/1")).isEmpty();
        assertThat(engine.stats().l3Reads()).isEqualTo(reads + 1);
        engine.submit("del/1", bytes("again")).join();
        engine.forceFlush().join();
        engine.clearL1();
        assertThat(engine.get("del/1")).map(EngineTestSupport::text).contains("again");
    }

    @Test
    void aRestartUsesTheSnapshotInsteadOfRebuilding() throws Exception {
        startTrusted(config().build());
        for (int i = 0; i < 500; i++) {
            engine.submit("snap/" + i, bytes("v" + i)).join();
        }
        restartTrusted();
        FilterStats filter = engine.stats().filter();
        assertThat(filter.restored()).as("%s", filter).isTrue();
        assertThat(filter.rebuilds()).isZero();
        assertEveryIdFound("snap/", 500);
        long reads = engine.stats().l3Reads();
        assertThat(engine.get("snap/none")).isEmpty();
        assertThat(engine.stats().l3Reads()).isEqualTo(reads);
    }

    @Test
    void aSnapshotOfAnL3ThatChangedSinceIsNotTrusted() throws Exception {
        startTrusted(config().build());
        engine.submit("changed/1", bytes("x")).join();
        SyncEngineConfig config = engine.config();
        engine.shutdown();
        // Another writer adds a row while this engine is down: the snapshot does not know the id.
        try (Connection c = openL3(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO sync_items (id, version, content_hash, content_type, state, payload_json, "
                    + "payload_blob, expires_at, updated_at) SELECT 'changed/behind', version + 1, content_hash, "
                    + "content_type, state, payload_json, payload_blob, expires_at, updated_at FROM sync_items "
                    + "WHERE id = 'changed/1'");
        }
        start(config);
        awaitFilter(FilterStats::trusted);
        FilterStats filter = engine.stats().filter();
        assertThat(filter.restored()).isFalse();
        assertThat(filter.rebuilds()).isEqualTo(1);
        assertThat(engine.get("changed/behind")).isPresent();
    }

    @Test
    void aCorruptSnapshotIsRejectedAndTheFilterRebuilt() throws Exception {
        startTrusted(config().build());
        for (int i = 0; i < 50; i++) {
            engine.submit("corrupt/" + i, bytes("v" + i)).join();
        }
        SyncEngineConfig config = engine.config();
        engine.shutdown();
        byte[] snapshot = readSnapshot(config.walPath());
        snapshot[snapshot.length / 2] ^= 0x5a;
        writeSnapshot(config.walPath(), snapshot);
        start(config);
        awaitFilter(FilterStats::trusted);
        assertThat(engine.stats().filter().restored()).isFalse();
        assertThat(engine.stats().filter().rebuilds()).isEqualTo(1);
        assertEveryIdFound("corrupt/", 50);
    }

    @Test
    void aSnapshotOfAnotherL3IsNeverTrustedEvenWithTheSameRows(@org.junit.jupiter.api.io.TempDir Path other)
            throws Exception {
        startTrusted(config().build());
        SyncEngineConfig config = engine.config();
        engine.shutdown();
        // Both databases are empty, so only the identity of L3 tells them apart.
        Files.copy(config.walPath(), other.resolve("wal.db"));
        start(config().dataDir(other).walPath(other.resolve("wal.db")).build());
        awaitFilter(FilterStats::trusted);
        assertThat(engine.stats().filter().restored()).isFalse();
        assertThat(engine.stats().filter().rebuilds()).isEqualTo(1);
    }

    @Test
    void writesReplayedFromTheWalAreFoundThoughTheSnapshotPredatesThem() throws Exception {
        SyncEngineConfig config = config().batchFlushMs(10).sqlLockTimeoutMs(200).sqlRetryBackoffMs(50)
                .cfSnapshotIntervalSecs(60).build();
        startTrusted(config);
        engine.submit("wal/before", bytes("x")).join();
        engine.forceFlush().join();
        advance(61_000);
        awaitFilter(filter -> filter.snapshotsWritten() >= 1);
        byte[] beforeTheOutage = readSnapshot(config.walPath());
        try (Connection locker = openL3()) {
            try (Statement s = locker.createStatement()) {
                s.execute("BEGIN EXCLUSIVE");
            }
            SubmitOptions local = SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL);
            for (int i = 0; i < 20; i++) {
                engine.submitWith("wal/" + i, bytes("v" + i), local).get(10, TimeUnit.SECONDS);
            }
            engine.forceFlush().get(10, TimeUnit.SECONDS);
            assertThat(engine.healthCheck().walDepth()).isPositive();
            engine.shutdown();
            // As if the process had died before its last snapshot: the stored one knows none of the WAL's ids.
            writeSnapshot(config.walPath(), beforeTheOutage);
            start(config);
            awaitFilter(FilterStats::trusted);
            assertThat(engine.stats().filter().restored()).isTrue();
            assertThat(engine.healthCheck().walDepth()).isPositive();
            try (Statement s = locker.createStatement()) {
                s.execute("ROLLBACK");
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.healthCheck().walDepth() > 0 && System.nanoTime() < deadline) {
            advance(100); // the L3 breaker retries on the engine's clock
            Thread.sleep(20);
        }
        assertThat(engine.healthCheck().walDepth()).isZero();
        assertThat(engine.stats().filter().restored()).isTrue();
        assertEveryIdFound("wal/", 20);
        assertThat(engine.verifyFilter().falseNegatives()).isZero();
    }

    @Test
    void snapshotsAreWrittenByIntervalAndByInsertCount() throws Exception {
        startTrusted(config().cfSnapshotIntervalSecs(30).cfSnapshotInsertThreshold(100).build());
        engine.submit("interval/1", bytes("x")).join();
        Thread.sleep(300);
        assertThat(engine.stats().filter().snapshotsWritten()).isZero();
        advance(30_000);
        awaitFilter(filter -> filter.snapshotsWritten() == 1);
        for (int i = 0; i < 100; i++) {
            engine.submit("inserts/" + i, bytes("x")).join();
        }
        awaitFilter(filter -> filter.snapshotsWritten() == 2);
    }

    @Test
    void verifyFilterFindsAnIdWrittenBehindTheEnginesBackAndRebuilds() throws Exception {
        startTrusted(config().build());
        for (int i = 0; i < 30; i++) {
            engine.submit("verify/" + i, bytes("v" + i)).join();
        }
        engine.forceFlush().join();
        FilterReport clean = engine.verifyFilter();
        assertThat(clean.checked()).isEqualTo(30);
        assertThat(clean.falseNegatives()).isZero();
        assertThat(clean.trusted()).isTrue();
        assertThat(clean.load()).isPositive();
        try (Connection c = openL3(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO sync_items (id, version, content_hash, content_type, state, payload_json, "
                    + "payload_blob, expires_at, updated_at) SELECT 'verify/behind', version, content_hash, "
                    + "content_type, state, payload_json, payload_blob, expires_at, updated_at FROM sync_items "
                    + "WHERE id = 'verify/0'");
        }
        FilterReport dirty = engine.verifyFilter();
        assertThat(dirty.checked()).isEqualTo(31);
        assertThat(dirty.falseNegatives()).isEqualTo(1);
        assertThat(engine.get("verify/behind")).as("an untrusted filter sends reads to L3").isPresent();
        awaitFilter(filter -> filter.trusted() && filter.rebuilds() == 2);
        engine.clearL1();
        assertThat(engine.get("verify/behind")).isPresent();
        assertThat(engine.verifyFilter().falseNegatives()).isZero();
    }

    @Test
    void deletedIdsLeaveTheFilterWithTheRebuildThatAHighLoadStarts() throws Exception {
        startTrusted(config().build());
        Map<String, byte[]> first = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 3_000; i++) {
            first.put("churn/" + i, bytes("x"));
        }
        engine.submitMany(first).join();
        engine.deleteMany(first.keySet()).join();
        engine.forceFlush().join();
        assertThat(engine.stats().filter().rebuilds()).isEqualTo(1);
        Map<String, byte[]> second = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 1_000; i++) {
            second.put("fresh/" + i, bytes("y"));
        }
        engine.submitMany(second).join();
        engine.forceFlush().join();
        // 4,000 ids in 4,096 slots: over MAX_LOAD, so a rebuild from L3 (1,000 rows) drops the deleted ones.
        awaitFilter(filter -> filter.trusted() && filter.rebuilds() >= 2 && filter.load() < 0.5);
        assertEveryIdFound("fresh/", 1_000);
        long reads = engine.stats().l3Reads();
        for (int i = 0; i < 3_000; i++) {
            assertThat(engine.get("churn/" + i)).isEmpty();
        }
        assertThat(engine.stats().l3Reads() - reads).as("false positives among 3,000 deleted ids").isLessThan(5);
    }

    @Test
    void growthRebuildsWhileWritingAndReadingLoseNoId() throws Exception {
        startTrusted(config().batchFlushMs(5).batchFlushCount(200).build());
        int writers = 3;
        int perWriter = 4_000;
        java.util.concurrent.atomic.AtomicIntegerArray progress = new java.util.concurrent.atomic.AtomicIntegerArray(
                writers);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.Queue<String> missed = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers + 1);
        List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            tasks.add(pool.submit(() -> {
                for (int i = 0; i < perWriter; i++) {
                    engine.submit("grow/" + writer + "/" + i, bytes("v")).join();
                    // An overwrite through the L1 entry, as the JCache layer makes it: it skips the filter
                    // when the queued write it joins already recorded the id.
                    L1Ref ref = engine.l1Ref("grow/" + writer + "/" + (i / 2));
                    if (ref != null) {
                        engine.submitOwned(ref, bytes("w"), SubmitOptions.defaults()).join();
                    }
                    progress.set(writer, i + 1);
                    if (i % 200 == 199) {
                        engine.forceFlush().join(); // rows land in L3 while the filter grows
                    }
                }
                return null;
            }));
        }
        tasks.add(pool.submit(() -> {
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            for (long reads = 0; writing.get(); reads++) {
                int writer = random.nextInt(writers);
                int written = progress.get(writer);
                if (written > 0) {
                    String id = "grow/" + writer + "/" + random.nextInt(written);
                    if (engine.get(id).isEmpty()) {
                        missed.add(id);
                    }
                }
                if (reads % 500 == 0) {
                    engine.clearL1(); // so reads of flushed ids go through the filter to L3
                }
            }
            return null;
        }));
        for (java.util.concurrent.Future<?> task : tasks.subList(0, writers)) {
            task.get(120, TimeUnit.SECONDS);
        }
        writing.set(false);
        tasks.get(writers).get(30, TimeUnit.SECONDS);
        pool.shutdown();
        engine.forceFlush().join();
        awaitFilter(filter -> filter.trusted() && filter.load() <= 0.9);
        assertThat(missed).isEmpty();
        assertThat(engine.stats().filter().rebuilds()).as("the filter grew by rebuilds").isGreaterThanOrEqualTo(2);
        FilterReport report = engine.verifyFilter();
        assertThat(report.checked()).isEqualTo((long) writers * perWriter);
        assertThat(report.falseNegatives()).isZero();
    }

    @Test
    void anSqliteL3OutsideTheDataDirMayBeSharedSoWithoutRedisItGetsNoFilter(
            @org.junit.jupiter.api.io.TempDir Path elsewhere) {
        start(config().sqlUrl("jdbc:sqlite:" + elsewhere.resolve("shared.db")).build());
        assertThat(engine.stats().filter().enabled()).isFalse();
        long reads = engine.stats().l3Reads();
        assertThat(engine.get("maybe/elsewhere")).isEmpty();
        assertThat(engine.stats().l3Reads()).isEqualTo(reads + 1);
        assertThat(engine.verifyFilter().trusted()).isFalse();
    }

    @Test
    void anEngineWithoutL3HasNoFilter() {
        start(config().sqlEnabled(false).build());
        assertThat(engine.get("no/l3")).isEmpty();
        assertThat(engine.stats().filter()).isEqualTo(FilterStats.NONE);
        assertThat(engine.verifyFilter()).isEqualTo(new FilterReport(0, 0, 0.0, false));
    }

    private void assertEveryIdFound(String prefix, int count) {
        engine.clearL1();
        for (int i = 0; i < count; i++) {
            assertThat(engine.get(prefix + i)).as("%s%d", prefix, i).isPresent();
        }
    }

    private static byte[] readSnapshot(Path wal) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + wal);
             PreparedStatement ps = c.prepareStatement("SELECT snapshot FROM filter_snapshots");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as("a snapshot was written").isTrue();
            return rs.getBytes(1);
        }
    }

    private static void writeSnapshot(Path wal, byte[] snapshot) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + wal);
             PreparedStatement ps = c.prepareStatement("UPDATE filter_snapshots SET snapshot = ?")) {
            ps.setBytes(1, snapshot);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }
}
