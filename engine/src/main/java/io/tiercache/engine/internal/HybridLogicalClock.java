package io.tiercache.engine.internal;

import io.tiercache.engine.TimeSource;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Versions that are strictly increasing for this writer and comparable across nodes: the high 48 bits are wall-clock
 * milliseconds, the low 16 a counter for events within one millisecond. {@link #observe} folds in versions seen from
 * other nodes so that a write made after seeing one always gets a larger version, even with a clock behind theirs.
 */
public final class HybridLogicalClock {
    private static final int LOGICAL_BITS = 16;

    private final TimeSource time;
    private final AtomicLong last = new AtomicLong();

    public HybridLogicalClock(TimeSource time) {
        this.time = time;
    }

    /** A version larger than every version this clock issued or observed. */
    public long next() {
        return next(time.currentTimeMillis());
    }

    /**
     * {@link #next()} for a caller that has just read this clock's time source ({@code nowMillis}): reading the wall
     * clock costs as much as the rest of a fast write, so a write reads it once.
     */
    public long next(long nowMillis) {
        long physical = nowMillis << LOGICAL_BITS;
        // One atomic add, which cannot fail, for all but the first version of each millisecond: writers on several
        // cores would otherwise retry a compare-and-set against each other.
        long counted = last.incrementAndGet();
        if (counted >= physical) {
            return counted;
        }
        for (long prev = last.get(); prev < physical; prev = last.get()) {
            if (last.compareAndSet(prev, physical)) {
                return physical;
            }
        }
        return last.incrementAndGet();
    }

    /** Advances past a version seen elsewhere. */
    public void observe(long version) {
        // Read first: most observed versions are old, and a compare-and-set would write the shared line anyway.
        if (version > last.get()) {
            last.accumulateAndGet(version, Math::max);
        }
    }

    /** Wall-clock milliseconds encoded in a version. */
    public static long physicalMillis(long version) {
        return version >>> LOGICAL_BITS;
    }
}
