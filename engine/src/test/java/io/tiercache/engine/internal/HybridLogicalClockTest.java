package io.tiercache.engine.internal;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class HybridLogicalClockTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final HybridLogicalClock clock = new HybridLogicalClock(now::get);

    @Test
    void versionsCarryWallClockMillis() {
        assertThat(HybridLogicalClock.physicalMillis(clock.next())).isEqualTo(1_000);
        now.set(5_000);
        assertThat(HybridLogicalClock.physicalMillis(clock.next())).isEqualTo(5_000);
    }

    @Test
    void versionsIncreaseWithinOneMillisecond() {
        long a = clock.next();
        long b = clock.next();
        long c = clock.next();
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
    }

    @Test
    void versionsIncreaseWhenTheWallClockGoesBackwards() {
        long before = clock.next();
        now.set(10);
        assertThat(clock.next()).isGreaterThan(before);
    }

    @Test
    void anObservedVersionFromAFasterNodeIsOvertaken() {
        long remote = (1_000_000L << 16) + 7;
        clock.observe(remote);
        assertThat(clock.next()).isGreaterThan(remote);
        clock.observe(5);
        assertThat(clock.next()).isGreaterThan(remote + 1);
    }

    @Test
    void concurrentCallersNeverShareAVersion() throws InterruptedException {
        ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    seen.add(clock.next());
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Set<Long> unique = new HashSet<>(seen);
        assertThat(unique).hasSize(40_000);
    }

    @Test
    void callersRacingTheWallClockGetUniqueIncreasingVersionsNotBehindTheTimeTheyRead() throws Exception {
        ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int caller = t;
            Thread thread = new Thread(() -> {
                long last = 0;
                for (int i = 0; i < 20_000; i++) {
                    if (caller == 0 && i % 50 == 0) {
                        now.incrementAndGet(); // the wall clock moves while the others count
                    }
                    long read = now.get();
                    long version = i % 2 == 0 ? clock.next() : clock.next(read);
                    if (version <= last || HybridLogicalClock.physicalMillis(version) < read) {
                        failures.add("caller " + caller + ": " + version + " after " + last + " at " + read);
                    }
                    last = version;
                    seen.add(version);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
        assertThat(new HashSet<>(seen)).hasSize(80_000);
    }

    @Test
    void observingAnOlderVersionNeverMovesTheClockBack() {
        long remote = (50_000L << 16) + 9;
        clock.observe(remote);
        clock.observe(remote - 100);
        clock.observe(0);
        assertThat(clock.next()).isEqualTo(remote + 1);
    }
}
