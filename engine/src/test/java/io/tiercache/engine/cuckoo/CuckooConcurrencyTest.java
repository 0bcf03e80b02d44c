package io.tiercache.engine.cuckoo;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eight threads churn adds and removes on their own ids while checking them, against a filter kept near 85% load so
 * eviction walks (which move other threads' fingerprints) are constant; optimistic lookups must still never miss.
 */
class CuckooConcurrencyTest {
    private static final int THREADS = 8;
    private static final int OPS_PER_THREAD = 60_000;
    private static final int STABLE = 70_000;

    @Test
    void membersAreNeverMissedWhileOtherThreadsAddAndRemove() throws Exception {
        CuckooFilter filter = CuckooFilter.create(100_000, 12);
        for (int n = 0; n < STABLE; n++) {
            assertThat(filter.add("stable/" + n)).isTrue();
        }
        AtomicLong misses = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> churn(filter, thread, start, misses)));
            }
            start.countDown();
            long held = 0;
            for (Future<Integer> result : results) {
                held += result.get(60, TimeUnit.SECONDS);
            }
            assertThat(misses.get()).as("members reported missing").isZero();
            assertThat(filter.needsRebuild()).isFalse();
            assertThat(filter.size()).isEqualTo(STABLE + held);
            for (int n = 0; n < STABLE; n++) {
                assertThat(filter.mightContain("stable/" + n)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A small, 90% full table where every add evicts: during an eviction walk one fingerprint is out of the table
     * for a moment, and a lookup that did not validate its optimistic read would report that member missing. Four
     * readers sweep the stable members while four writers churn, for a bounded time.
     */
    @Test
    void lookupsNeverSeeAFingerprintThatIsBeingMoved() throws Exception {
        CuckooFilter filter = CuckooFilter.create(4_096, 12);
        int stable = 3_300;
        for (int n = 0; n < stable; n++) {
            assertThat(filter.add("s/" + n)).isTrue();
        }
        AtomicLong misses = new AtomicLong();
        AtomicLong lookups = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < THREADS / 2; t++) {
                int thread = t;
                tasks.add(pool.submit(() -> {
                    Deque<String> mine = new ArrayDeque<>();
                    for (int op = 0; System.nanoTime() < deadline; op++) {
                        String id = "w" + thread + "/" + op;
                        if (filter.add(id)) {
                            mine.addLast(id);
                        }
                        if (mine.size() > 100) {
                            filter.remove(mine.removeFirst());
                        }
                    }
                }));
                tasks.add(pool.submit(() -> {
                    long done = 0;
                    while (System.nanoTime() < deadline) {
                        for (int n = 0; n < stable; n++) {
                            if (filter.definitelyMissing("s/" + n)) {
                                misses.incrementAndGet();
                            }
                        }
                        done += stable;
                    }
                    lookups.addAndGet(done);
                }));
            }
            for (Future<?> task : tasks) {
                task.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("cuckoo concurrency: %,d lookups during churn at load %.2f, %d misses%n", lookups.get(),
                filter.loadFactor(), misses.get());
        assertThat(filter.needsRebuild()).isFalse();
        assertThat(misses.get()).as("members reported missing").isZero();
    }

    /** Adds its own ids, keeps up to 1,000 of them, removes the oldest, and checks members and stable ids. */
    private static int churn(CuckooFilter filter, int thread, CountDownLatch start, AtomicLong misses)
            throws InterruptedException {
        start.await();
        Deque<String> mine = new ArrayDeque<>();
        java.util.Random random = new java.util.Random(thread);
        for (int op = 0; op < OPS_PER_THREAD; op++) {
            String id = "t" + thread + "/" + op;
            if (filter.add(id)) {
                mine.addLast(id);
            }
            if (mine.size() > 1_000) {
                filter.remove(mine.removeFirst());
            }
            String member = random.nextBoolean() ? mine.peekLast() : "stable/" + random.nextInt(STABLE);
            if (member != null && filter.definitelyMissing(member)) {
                misses.incrementAndGet();
            }
        }
        for (String id : mine) {
            if (filter.definitelyMissing(id)) {
                misses.incrementAndGet();
            }
        }
        return mine.size();
    }
}
