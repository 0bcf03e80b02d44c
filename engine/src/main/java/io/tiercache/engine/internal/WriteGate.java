package io.tiercache.engine.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets writes in until it is closed, and lets its closer wait for the writes already in. Writers count themselves
 * on a {@link LongAdder}, so writers on different cores do not contend for one lock word the way the readers of a
 * read-write lock do (a shared word every write would otherwise change twice).
 *
 * <pre>{@code
 * if (!gate.enter()) throw new IllegalStateException("shut down");
 * try { queue(write); } finally { gate.exit(); }
 * ...
 * gate.closeAndAwait();   // no write enters from now on; those inside have left
 * }</pre>
 *
 * <p>Correct by the store-load order of volatile accesses: a writer counts itself before it reads {@code closed};
 * the closer sets {@code closed} before it sums. Either the writer sees the gate closed, or the closer sees it counted.
 */
public final class WriteGate {
    private final LongAdder inside = new LongAdder();
    private volatile boolean closed;

    /** Whether the caller may write; if so it must call {@link #exit} when done. */
    public boolean enter() {
        inside.increment();
        if (closed) {
            inside.decrement();
            return false;
        }
        return true;
    }

    public void exit() {
        inside.decrement();
    }

    /** Closes the gate and returns once every write that entered has left. */
    public void closeAndAwait() {
        closed = true;
        while (inside.sum() != 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }
}
