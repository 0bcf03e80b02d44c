package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Repeated MEMORY writes of an id still waiting in the write-behind queue are carried by one queue entry: the flush
 * stores only the newest version, and memory stays pinned for one copy. Writes acknowledged later keep their own.
 */
class WriteCoalescingTest extends EngineTestSupport {

    @Test
    void repeatedMemoryWritesOfAQueuedIdFlushOnceAtTheNewestVersion() throws Exception {
        start(config().build());
        SyncItem last = null;
        for (int i = 0; i < 50; i++) {
            last = engine.submit("hot/1", bytes("{\"n\":" + i + "}")).join();
        }
        engine.submit("cold/1", bytes("{}")).join();
        EngineStats queued = engine.stats();
        assertThat(queued.queuedWrites()).as("queue entries").isEqualTo(2);
        assertThat(queued.pinnedBytes()).as("pinned bytes: one copy per id")
                .isEqualTo(last.estimatedMemoryBytes() + engine.get("cold/1").orElseThrow().estimatedMemoryBytes());
        assertThat(text(engine.get("hot/1").orElseThrow())).isEqualTo("{\"n\":49}");

        engine.forceFlush().get(10, TimeUnit.SECONDS);
        EngineStats flushed = engine.stats();
        assertThat(flushed.itemsFlushed()).as("rows written to L3").isEqualTo(2);
        assertThat(flushed.queuedWrites()).isZero();
        assertThat(flushed.pinnedBytes()).isZero();
        try (Connection l3 = openL3(); Statement query = l3.createStatement();
             ResultSet row = query.executeQuery("select version from sync_items where id = 'hot/1'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getLong(1)).as("L3 holds the newest version").isEqualTo(last.version());
        }
        engine.clearL1();
        assertThat(text(engine.get("hot/1").orElseThrow())).isEqualTo("{\"n\":49}");
    }

    @Test
    void aDeleteTakesOverAQueuedWriteToo() throws Exception {
        start(config().build());
        engine.submit("doc/1", bytes("{}")).join();
        engine.delete("doc/1", Durability.MEMORY).join();
        assertThat(engine.stats().queuedWrites()).isEqualTo(1);

        engine.forceFlush().get(10, TimeUnit.SECONDS);
        engine.clearL1();
        assertThat(engine.get("doc/1")).isEmpty();
    }

    @Test
    void writesAcknowledgedLaterKeepTheirOwnEntries() throws Exception {
        start(config().build());
        SubmitOptions wal = SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL);
        engine.submit("doc/1", bytes("{\"n\":0}")).join();
        engine.submitWith("doc/1", bytes("{\"n\":1}"), wal).get(10, TimeUnit.SECONDS);
        engine.submitWith("doc/1", bytes("{\"n\":2}"), wal).get(10, TimeUnit.SECONDS);
        engine.submit("doc/1", bytes("{\"n\":3}")).join();
        assertThat(engine.stats().queuedWrites()).as("a WAL write neither absorbs nor is absorbed").isEqualTo(4);

        engine.forceFlush().get(10, TimeUnit.SECONDS);
        engine.clearL1();
        assertThat(text(engine.get("doc/1").orElseThrow())).isEqualTo("{\"n\":3}");
    }

    @Test
    void aWriteAfterTheFlusherTookItsIdIsQueuedAgain() throws Exception {
        start(config().build());
        engine.submit("doc/1", bytes("{\"n\":0}")).join();
        engine.forceFlush().get(10, TimeUnit.SECONDS);
        engine.submit("doc/1", bytes("{\"n\":1}")).join();
        assertThat(engine.stats().queuedWrites()).isEqualTo(1);

        engine.forceFlush().get(10, TimeUnit.SECONDS);
        assertThat(engine.stats().itemsFlushed()).isEqualTo(2);
        engine.clearL1();
        assertThat(text(engine.get("doc/1").orElseThrow())).isEqualTo("{\"n\":1}");
    }

    @Test
    void writesThroughAnL1EntryCoalesceAndFlushTheNewestVersion() throws Exception {
        start(config().build());
        engine.submit("hot/1", bytes("{\"n\":0}")).join();
        L1Ref ref = engine.l1Ref("hot/1");
        SyncItem last = null;
        for (int i = 1; i <= 50; i++) {
            // Lengths vary, so some writes re-weigh the entry in Caffeine and some swap it in place.
            last = engine.submitOwned(ref, bytes("{\"n\":" + i + "}"), SubmitOptions.defaults()).join();
        }
        assertThat(engine.l1Ref("hot/1")).as("one L1 entry throughout").isSameAs(ref);
        assertThat(engine.stats().queuedWrites()).isEqualTo(1);
        assertThat(engine.stats().pinnedBytes()).isEqualTo(last.estimatedMemoryBytes());

        engine.forceFlush().get(10, TimeUnit.SECONDS);
        engine.clearL1();
        assertThat(ref.live()).isFalse();
        assertThat(text(engine.get("hot/1").orElseThrow())).isEqualTo("{\"n\":50}");
        // Through an entry that left L1: written by its id.
        engine.submitOwned(ref, bytes("{\"n\":51}"), SubmitOptions.defaults()).join();
        assertThat(text(engine.get("hot/1").orElseThrow())).isEqualTo("{\"n\":51}");
    }

    @Test
    void anL1EntryOfAnotherEngineOrAnUnfitPayloadIsRefused() throws Exception {
        start(config().build());
        engine.submit("doc/1", bytes("{}")).join();
        L1Ref ref = engine.l1Ref("doc/1");
        try (SyncEngine other = SyncEngine.start(SyncEngineConfig.builder().sqlEnabled(false).build())) {
            other.submit("doc/1", bytes("{}")).join();
            L1Ref foreign = other.l1Ref("doc/1");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> engine.submitOwned(foreign, bytes("x"), SubmitOptions.defaults()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an entry of this engine");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> engine.submitOwned(ref, (byte[]) null, SubmitOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doc/1");
        assertThat(text(engine.get("doc/1").orElseThrow())).isEqualTo("{}");
    }

    @Test
    void writesCarriedByALeftL1EntryAreStillReadAndFlushed() throws Exception {
        start(config().build());
        engine.submit("doc/1", bytes("{}")).join();
        L1Ref ref = engine.l1Ref("doc/1");
        engine.submitOwned(ref, bytes("{\"n\":1}"), SubmitOptions.defaults()).join(); // queued, now carried by ref
        for (int i = 2; i <= 20; i++) {
            engine.submitOwned(ref, bytes("{\"n\":" + "x".repeat(i) + "}"), SubmitOptions.defaults()).join();
        }
        engine.clearL1(); // the entry leaves L1 while it carries the newest write
        assertThat(text(engine.get("doc/1").orElseThrow())).as("read from the queued write")
                .isEqualTo("{\"n\":" + "x".repeat(20) + "}");
        SyncItem last = engine.submitOwned(ref, bytes("{\"n\":21}"), SubmitOptions.defaults()).join();
        engine.clearL1();
        assertThat(text(engine.get("doc/1").orElseThrow())).isEqualTo("{\"n\":21}");
        assertThat(engine.stats().queuedWrites()).isEqualTo(1);
        assertThat(engine.stats().pinnedBytes()).isEqualTo(last.estimatedMemoryBytes());

        engine.forceFlush().get(10, TimeUnit.SECONDS);
        assertThat(engine.stats().pinnedBytes()).isZero();
        assertThat(engine.stats().itemsFlushed()).as("one row for the id").isEqualTo(1);
        try (Connection l3 = openL3(); Statement query = l3.createStatement();
             ResultSet row = query.executeQuery("select version from sync_items where id = 'doc/1'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getLong(1)).isEqualTo(last.version());
        }
    }

    @Test
    void writesThroughEntriesAndIdsRacingTheFlusherLeaveL3TheNewestOfEachId() throws Exception {
        start(config().batchFlushMs(2).batchFlushCount(50).build());
        int ids = 24;
        java.util.concurrent.ConcurrentHashMap<String, Long> newest = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        java.util.List<java.util.concurrent.Future<?>> workers = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int worker = t;
            workers.add(pool.submit(() -> {
                java.util.SplittableRandom random = new java.util.SplittableRandom(worker);
                for (int op = 0; op < 15_000; op++) {
                    String id = "race/" + random.nextInt(ids);
                    byte[] payload = bytes("{\"w\":" + worker + ",\"pad\":\"" + "p".repeat(random.nextInt(4))
                            + "\"}");
                    L1Ref ref = random.nextInt(4) == 0 ? null : engine.l1Ref(id);
                    SyncItem written = ref != null
                            ? engine.submitOwned(ref, payload, SubmitOptions.defaults()).join()
                            : engine.submit(id, payload).join();
                    newest.merge(id, written.version(), Math::max);
                    if (op % 5_000 == 4_999) {
                        engine.clearL1();
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> worker : workers) {
            worker.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        engine.forceFlush().get(30, TimeUnit.SECONDS);

        assertThat(engine.stats().queuedWrites()).isZero();
        assertThat(engine.stats().pinnedBytes()).as("every absorbed size change accounted for").isZero();
        try (Connection l3 = openL3(); Statement query = l3.createStatement();
             ResultSet rows = query.executeQuery("select id, version from sync_items where id like 'race/%'")) {
            java.util.Map<String, Long> inL3 = new java.util.HashMap<>();
            while (rows.next()) {
                inL3.put(rows.getString(1), rows.getLong(2));
            }
            assertThat(inL3).isEqualTo(newest);
        }
        engine.clearL1();
        for (String id : newest.keySet()) {
            assertThat(engine.get(id).orElseThrow().version()).as(id).isEqualTo(newest.get(id));
        }
    }

    /**
     * A batch the flusher takes by itself while an id is being overwritten through its L1 entry leaves the entry
     * carrying on for the next batch: the writes after it are absorbed there, no writer queues the id again, and
     * readers past L1 find the newest write.
     */
    @Test
    void anIdOverwrittenWhileItsBatchIsTakenStaysCarriedByItsL1Entry() throws Exception {
        L1Ref ref = hotIdCarriedAcrossOneBatch();
        assertThat(engine.stats().queuedWrites()).as("the entry's continuation").isEqualTo(1);
        assertThat(engine.stats().pinnedBytes()).as("what the batch stored pins nothing").isZero();

        engine.submitOwned(ref, bytes("{\"n\":3}"), SubmitOptions.defaults()).join();
        SyncItem newest = engine.submitOwned(ref, bytes("{\"n\":44}"), SubmitOptions.defaults()).join();
        assertThat(engine.stats().queuedWrites()).as("absorbed by the continuation").isEqualTo(1);
        assertThat(engine.stats().pinnedBytes()).isEqualTo(newest.estimatedMemoryBytes());
        engine.clearL1();
        assertThat(text(engine.get("hot/1").orElseThrow())).as("read from the continuation").isEqualTo("{\"n\":44}");

        engine.forceFlush().get(10, TimeUnit.SECONDS);
        EngineStats flushed = engine.stats();
        assertThat(flushed.queuedWrites()).as("an asked-for flush carries nothing on").isZero();
        assertThat(flushed.pinnedBytes()).isZero();
        assertThat(flushed.itemsFlushed()).isEqualTo(4);
        assertThat(l3Version("hot/1")).isEqualTo(newest.version());
    }

    /** A continuation that absorbed nothing by the next batch is dropped: the row is not written again. */
    @Test
    void aContinuationThatAbsorbedNothingIsDroppedWithoutWritingAgain() throws Exception {
        hotIdCarriedAcrossOneBatch();
        long stored = l3Version("hot/1");
        long flushes = engine.stats().flushes();
        engine.submit("cold/2", bytes("{}")).join(); // with the continuation, two queued: the next batch is due
        awaitFlushes(flushes + 1);

        EngineStats after = engine.stats();
        assertThat(after.itemsFlushed()).as("cold/2, not hot/1 again").isEqualTo(3 + 1);
        assertThat(after.queuedWrites()).isZero();
        assertThat(after.pinnedBytes()).isZero();
        assertThat(l3Version("hot/1")).isEqualTo(stored);
        assertThat(text(engine.get("hot/1").orElseThrow())).isEqualTo("{\"n\":2}");
    }

    /**
     * hot/1 queued through its L1 entry and overwritten there, then a batch the flusher starts by itself (two queued
     * ids reach the count trigger) with hot/1 at {"n":2}, and cold/1: three rows written so far.
     */
    private L1Ref hotIdCarriedAcrossOneBatch() throws Exception {
        start(config().batchFlushMs(60_000).batchFlushCount(2).build());
        engine.submit("hot/1", bytes("{\"n\":0}")).join();
        engine.forceFlush().get(10, TimeUnit.SECONDS);
        L1Ref ref = engine.l1Ref("hot/1");
        engine.submitOwned(ref, bytes("{\"n\":1}"), SubmitOptions.defaults()).join(); // queued, carried by ref
        SyncItem carried = engine.submitOwned(ref, bytes("{\"n\":2}"), SubmitOptions.defaults()).join();
        long flushes = engine.stats().flushes();
        engine.submit("cold/1", bytes("{}")).join();
        awaitFlushes(flushes + 1);
        assertThat(l3Version("hot/1")).isEqualTo(carried.version());
        assertThat(engine.stats().itemsFlushed()).isEqualTo(3);
        return ref;
    }

    private void awaitFlushes(long flushes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.stats().flushes() < flushes) {
            assertThat(System.nanoTime()).as("the flusher's batch").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private long l3Version(String id) throws Exception {
        try (Connection l3 = openL3(); Statement query = l3.createStatement();
             ResultSet row = query.executeQuery("select version from sync_items where id = '" + id + "'")) {
            assertThat(row.next()).as("L3 row of %s", id).isTrue();
            return row.getLong(1);
        }
    }
}
