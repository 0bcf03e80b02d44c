package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Many threads hammer a small set of ids with every kind of write while the flusher runs; afterwards the engine, L3
 * and a restarted engine must all tell the same story, and atomic counters must be exact.
 */
class ConcurrencyTest extends EngineTestSupport {
    private static final int THREADS = 8;
    private static final int OPS_PER_THREAD = 8_000;
    private static final int IDS = 40;
    private static final int COUNTERS = 4;
    private static final List<String> STATES = List.of("default", "red", "blue");

    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> increments = new ConcurrentHashMap<>();

    @Test
    void mixedOperationsOnOverlappingIdsLeaveEveryTierConsistent() throws Exception {
        start(SyncEngineConfig.builder().dataDir(dataDir).batchFlushMs(5).batchFlushCount(200).build());
        assertTimeoutPreemptively(Duration.ofSeconds(90), this::runWorkers);
        assertThat(failures).isEmpty();

        engine.forceFlush().join();
        Map<String, Optional<SyncItem>> engineView = new HashMap<>();
        for (int i = 0; i < IDS; i++) {
            engineView.put("k/" + i, engine.get("k/" + i));
        }
        for (int c = 0; c < COUNTERS; c++) {
            engineView.put("counter/" + c, engine.get("counter/" + c));
        }
        for (Map.Entry<String, Optional<SyncItem>> entry : engineView.entrySet()) {
            Optional<Row> row = l3Row(entry.getKey());
            assertThat(row.isPresent()).as("L3 has %s", entry.getKey()).isEqualTo(entry.getValue().isPresent());
            entry.getValue().ifPresent(item -> {
                assertThat(row.get().version()).as("version of %s", item.id()).isEqualTo(item.version());
                assertThat(row.get().hash()).isEqualTo(item.contentHash());
                assertThat(row.get().state()).isEqualTo(item.state());
            });
        }
        for (int c = 0; c < COUNTERS; c++) {
            String id = "counter/" + c;
            long expected = increments.getOrDefault(id, new AtomicLong()).get();
            assertThat(text(engineView.get(id).orElseThrow())).as(id).isEqualTo(Long.toString(expected));
        }
        assertThat(engine.countPrefix("k/")).isEqualTo(engineView.entrySet().stream()
                .filter(e -> e.getKey().startsWith("k/") && e.getValue().isPresent()).count());

        restart();
        for (Map.Entry<String, Optional<SyncItem>> entry : engineView.entrySet()) {
            Optional<SyncItem> again = engine.get(entry.getKey());
            assertThat(again.map(SyncItem::version)).as(entry.getKey()).isEqualTo(entry.getValue().map(SyncItem::version));
        }
        assertThat(engine.healthCheck().walDepth()).isZero();
    }

    @Test
    void forceFlushWaitsForABatchTheFlusherIsAlreadyWriting() throws Exception {
        start(SyncEngineConfig.builder().dataDir(dataDir).batchFlushMs(1).build());
        for (int i = 0; i < 300; i++) {
            SyncItem item = engine.submit("ff/" + i, bytes("x" + i)).join();
            // Lands forceFlush at a random point of the flusher's cycle, often while it holds the batch.
            java.util.concurrent.locks.LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(2_000_000));
            engine.forceFlush().join();
            assertThat(l3Row("ff/" + i)).as("ff/%d in L3 after forceFlush", i)
                    .map(Row::version).contains(item.version());
        }
    }

    @Test
    void countsStayBetweenTheWritesAcknowledgedBeforeAndAfterWhileTheFlusherRuns() throws Exception {
        start(SyncEngineConfig.builder().dataDir(dataDir).batchFlushMs(1).build());
        AtomicLong acknowledged = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 30_000 && writing.get(); i++) {
                    try {
                        engine.submit("cnt/" + i, bytes("x")).join();
                        acknowledged.incrementAndGet();
                    } catch (BackpressureException outpacedTheFlusher) {
                        engine.forceFlush().join();
                        i--;
                    }
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        writer.start();
        try {
            for (int i = 0; i < 1_000 && writer.isAlive() && failures.isEmpty(); i++) {
                long before = acknowledged.get();
                long counted = engine.countPrefix("cnt/");
                long after = acknowledged.get();
                assertThat(counted).as("count %d", i).isBetween(before, after + 1);
            }
        } finally {
            writing.set(false);
            writer.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void writesThroughL1EntriesNeverChangeAnIdWhileAComputeOfItRuns() throws Exception {
        start(SyncEngineConfig.builder().dataDir(dataDir).batchFlushMs(2).batchFlushCount(50).build());
        int ids = 4;
        for (int i = 0; i < ids; i++) {
            engine.submit("hot/" + i, bytes("0")).join();
        }
        AtomicLong computes = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean computing = t % 2 == 0;
            Thread thread = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long lastVersion = 0;
                try {
                    for (int op = 0; op < 20_000 && !stop.get(); op++) {
                        String id = "hot/" + random.nextInt(ids);
                        if (computing) {
                            engine.compute(id, current -> {
                                long read = current.orElseThrow().version();
                                for (int spin = 0; spin < 50; spin++) {
                                    Thread.onSpinWait();
                                }
                                long now = engine.getCached(id).orElseThrow().version();
                                if (now != read) {
                                    failures.add(new AssertionError(id + " changed from version " + read + " to "
                                            + now + " while a compute of it ran"));
                                    stop.set(true);
                                }
                                return Mutation.put(bytes("c" + read), SubmitOptions.defaults(), null);
                            });
                            computes.incrementAndGet();
                            continue;
                        }
                        L1Ref ref = engine.l1Ref(id);
                        SyncItem written = ref == null ? engine.submit(id, bytes("w")).join()
                                : engine.submitOwned(ref, bytes("w" + op), SubmitOptions.defaults()).join();
                        assertThat(written.version()).isGreaterThan(lastVersion);
                        lastVersion = written.version();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        assertThat(failures).isEmpty();
        assertThat(computes.get()).isEqualTo(40_000);

        engine.forceFlush().join();
        for (int i = 0; i < ids; i++) {
            SyncItem held = engine.getCached("hot/" + i).orElseThrow();
            Optional<Row> row = l3Row("hot/" + i);
            assertThat(row).as("L3 row of hot/%d", i).isPresent();
            assertThat(row.get().version()).as("L3 holds what L1 does").isEqualTo(held.version());
            assertThat(row.get().hash()).isEqualTo(held.contentHash());
        }
    }

    private void runWorkers() throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int worker = t;
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    work(worker);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "worker-" + t);
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private void work(int worker) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long lastVersion = 0;
        for (int op = 0; op < OPS_PER_THREAD; op++) {
            String id = "k/" + random.nextInt(IDS);
            switch (random.nextInt(10)) {
                case 0, 1, 2 -> {
                    Durability durability = Durability.values()[random.nextInt(Durability.values().length)];
                    SubmitOptions options = SubmitOptions.defaults().withDurability(durability);
                    byte[] payload = bytes(id + " by " + worker + " #" + op);
                    // Through the id's L1 entry when there is one, half the time: the write path without its lock.
                    L1Ref ref = random.nextBoolean() ? engine.l1Ref(id) : null;
                    SyncItem written = ref != null ? engine.submitOwned(ref, payload, options).join()
                            : engine.submitWith(id, payload, options).join();
                    assertThat(written.version()).isGreaterThan(lastVersion);
                    lastVersion = written.version();
                }
                case 3, 4, 5 -> engine.get(id).ifPresent(item -> {
                    assertThat(item.id()).isEqualTo(id);
                    assertThat(item.isIntact()).isTrue();
                    assertThat(text(item)).startsWith(id + " by ");
                });
                case 6 -> engine.delete(id).join();
                case 7 -> engine.setState(id, STATES.get(random.nextInt(STATES.size()))).join();
                case 8 -> {
                    String counter = "counter/" + random.nextInt(COUNTERS);
                    engine.compute(counter, current -> {
                        long value = current.map(item -> Long.parseLong(text(item))).orElse(0L);
                        return Mutation.put(bytes(Long.toString(value + 1)), SubmitOptions.defaults(), value + 1);
                    });
                    increments.computeIfAbsent(counter, k -> new AtomicLong()).incrementAndGet();
                }
                default -> {
                    if (random.nextBoolean()) {
                        engine.scanPrefix("k/", 100).forEach(item -> assertThat(item.isIntact()).isTrue());
                    } else {
                        engine.getMany(List.of(id, "k/" + random.nextInt(IDS)));
                    }
                }
            }
        }
    }

    private record Row(long version, String hash, String state) {
    }

    private Optional<Row> l3Row(String id) throws Exception {
        try (Connection c = openL3(); PreparedStatement ps = c.prepareStatement(
                "SELECT version, content_hash, state FROM sync_items WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Row(rs.getLong(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }
}
