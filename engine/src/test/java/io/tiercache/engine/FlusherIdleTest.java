package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flush asked for while nothing is queued leaves the flusher idle: it parks until its next trigger instead of
 * looping on the request (which burned a core for as long as no write came, for good on an engine whose writes are
 * never queued).
 */
class FlusherIdleTest extends EngineTestSupport {

    @Test
    void forceFlushOnAnEmptyQueueLetsTheFlusherPark() throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        start(config().sqlEnabled(false).build());
        List<Thread> flushers = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("tiercache-flusher") && !before.contains(thread))
                .toList();
        assertThat(flushers).hasSize(1);
        Thread flusher = flushers.get(0);

        engine.forceFlush().join();
        engine.forceFlush().join();

        assertThat(parksWithin(flusher, 5_000)).as("flusher parked after a flush of nothing, state now %s",
                flusher.getState()).isTrue();
    }

    /** Whether the thread is seen parked in ten samples in a row (a spinning thread is seen running). */
    private static boolean parksWithin(Thread thread, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        int parkedInARow = 0;
        while (System.currentTimeMillis() < deadline) {
            parkedInARow = thread.getState() == Thread.State.TIMED_WAITING ? parkedInARow + 1 : 0;
            if (parkedInARow == 10) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }
}
