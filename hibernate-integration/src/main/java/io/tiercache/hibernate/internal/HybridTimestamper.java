package io.tiercache.hibernate.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Hibernate cache timestamps in its usual unit (milliseconds shifted left 12 bits, so 4096 values per millisecond)
 * from a hybrid logical clock: strictly increasing, never behind the wall clock, and advanced past any timestamp it
 * {@link #observe observes} from another node, so a node with a slow clock still stamps after what it has seen.
 */
public final class HybridTimestamper {
    private static final int SHIFT = 12;

    private final LongSupplier wallMillis;
    private final AtomicLong last = new AtomicLong();

    public HybridTimestamper(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
    }

    public long next() {
        long physical = wallMillis.getAsLong() << SHIFT;
        return last.updateAndGet(previous -> Math.max(physical, previous + 1));
    }

    /** Moves the clock past a timestamp seen from elsewhere, up to {@code maxAheadMillis} beyond the wall clock. */
    public void observe(long timestamp, long maxAheadMillis) {
        long ceiling = (wallMillis.getAsLong() + maxAheadMillis) << SHIFT;
        long bounded = Math.min(timestamp, ceiling);
        last.accumulateAndGet(bounded, Math::max);
    }

    /** A duration in timestamp units. */
    public static long units(long millis) {
        return millis << SHIFT;
    }
}
