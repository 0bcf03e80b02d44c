package io.tiercache.engine.memory;

import io.tiercache.engine.L1Ref;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * L1 under writers racing on the same ids: overwrites of the same size take the in-place path, others (a longer
 * payload, a delete, a floor) go through Caffeine, and older copies try to fill in between. The newest version
 * placed must be what L1 ends with, and Caffeine's weight must match what the cells hold.
 */
class MemoryTierConcurrencyTest {
    private static final int IDS = 16;
    private static final int THREADS = 4;
    private static final int WRITES_PER_THREAD = 40_000;

    private final TimeSource time = TimeSource.system();

    @Test
    void theNewestPlacedVersionWinsWhicheverPathEachWriteTook() throws Exception {
        MemoryTier l1 = new MemoryTier(64L << 20, time);
        AtomicLong versions = new AtomicLong();
        ConcurrentHashMap<String, Long> newestPlaced = new ConcurrentHashMap<>();
        runConcurrently(random -> {
            String id = "acct/" + random.nextInt(IDS);
            long version = versions.incrementAndGet();
            int kind = random.nextInt(10);
            if (kind == 9) {
                // An older copy read from below arrives late.
                version = Math.max(1, version - 1 - random.nextInt(50));
            }
            boolean placed;
            L1Ref ref;
            if (kind < 3 && (ref = l1.ref(id)) != null) {
                // Through the entry a layer above kept; it may have left L1 meanwhile.
                placed = l1.apply(ref, new TierWrite.Upsert(item(id, version, 24)));
            } else if (kind < 6) {
                placed = l1.apply(new TierWrite.Upsert(item(id, version, 24)));
            } else if (kind < 8) {
                placed = l1.apply(new TierWrite.Upsert(item(id, version, 40 + random.nextInt(8))));
            } else if (kind < 9) {
                placed = l1.apply(new TierWrite.Delete(id, version));
            } else {
                placed = l1.fill(item(id, version, 24));
            }
            if (placed) {
                // Writers place versions out of order; L1 must end with the highest of them.
                newestPlaced.merge(id, version, Math::max);
            }
            return null;
        });
        for (int i = 0; i < IDS; i++) {
            String id = "acct/" + i;
            Optional<SyncItem> held = l1.get(id);
            if (held.isPresent()) {
                assertThat(held.get().version()).as(id).isGreaterThanOrEqualTo(newestPlaced.get(id));
                assertThat(new String(held.get().payload(), StandardCharsets.UTF_8))
                        .as("payload of %s matches its version", id).startsWith(held.get().version() + ":");
            }
        }
        assertWeightMatchesCells(l1);
    }

    @Test
    void weightStaysExactWhileEvictionsAndInvalidationsRaceInPlaceOverwrites() throws Exception {
        // Room for a few dozen entries out of 200 ids: Caffeine evicts all the time.
        MemoryTier l1 = new MemoryTier(40 * 300, time);
        AtomicLong versions = new AtomicLong();
        runConcurrently(random -> {
            String id = "user/" + random.nextInt(200);
            int kind = random.nextInt(20);
            if (kind == 0) {
                l1.invalidate(id);
            } else if (kind == 1) {
                l1.purgeExpired(time.currentTimeMillis());
            } else {
                l1.apply(new TierWrite.Upsert(item(id, versions.incrementAndGet(), kind < 15 ? 24 : 30)));
            }
            return null;
        });
        l1.cleanUp();
        assertThat(l1.weightedBytes()).isLessThanOrEqualTo(40 * 300);
        assertWeightMatchesCells(l1);
    }

    @Test
    void anAttachedValueIsNeverServedForAnotherItem() throws Exception {
        MemoryTier l1 = new MemoryTier(40 * 300, time);
        AtomicLong versions = new AtomicLong();
        AtomicLong servedWrong = new AtomicLong();
        AtomicLong served = new AtomicLong();
        Object owner = new Object();
        runConcurrently(random -> {
            String id = "user/" + random.nextInt(50);
            int kind = random.nextInt(10);
            L1Ref ref = l1.ref(id);
            if (kind < 4 || ref == null) {
                l1.apply(new TierWrite.Upsert(item(id, versions.incrementAndGet(), kind < 2 ? 24 : 30)));
            } else if (kind == 4) {
                l1.apply(new TierWrite.Delete(id, versions.incrementAndGet()));
            } else if (kind == 5) {
                l1.invalidate(id);
            } else if (kind < 8) {
                SyncItem item = ref.item();
                if (item != null) {
                    ref.attach(owner, item, item.version(), Long.MAX_VALUE);
                }
            } else {
                SyncItem before = ref.item();
                Object value = ref.attached(owner, time);
                SyncItem after = ref.item();
                if (value != null) {
                    served.incrementAndGet();
                    // Unchanged around the read: the value must be the one derived from that very item.
                    if (before == after && (before == null || !value.equals(before.version()))) {
                        servedWrong.incrementAndGet();
                    }
                }
            }
            return null;
        });
        assertThat(served.get()).as("attached values served").isPositive();
        assertThat(servedWrong.get()).isZero();
        assertWeightMatchesCells(l1);
    }

    /** Caffeine's total must be what the cells hold now: an in-place swap must never change an entry's weight. */
    private static void assertWeightMatchesCells(MemoryTier l1) {
        l1.cleanUp();
        assertThat(l1.weightedBytes()).isEqualTo(l1.weightOfHeldEntries());
    }

    private static SyncItem item(String id, long version, int payloadBytes) {
        StringBuilder payload = new StringBuilder(version + ":");
        while (payload.length() < payloadBytes) {
            payload.append('x');
        }
        return SyncItem.create(id, payload.toString().getBytes(StandardCharsets.UTF_8), version, "active",
                SyncItem.NO_EXPIRY, 0);
    }

    private interface Step {
        Void run(SplittableRandom random) throws Exception;
    }

    private static void runConcurrently(Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            SplittableRandom random = new SplittableRandom(t * 7919L);
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < WRITES_PER_THREAD; i++) {
                    step.run(random);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }
}
