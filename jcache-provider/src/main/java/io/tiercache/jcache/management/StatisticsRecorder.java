package io.tiercache.jcache.management;

/**
 * Counts into a cache's {@link TierCacheStatistics} only while statistics are enabled, so a disabled cache pays
 * nothing but a volatile read per operation.
 *
 * <pre>{@code
 * StatisticsRecorder stats = new StatisticsRecorder();
 * stats.setEnabled(true);
 * long start = stats.start();
 * stats.hit();
 * stats.getTime(start);
 * }</pre>
 */
public final class StatisticsRecorder {
    private final TierCacheStatistics statistics = new TierCacheStatistics();
    private volatile boolean enabled;

    public TierCacheStatistics statistics() {
        return statistics;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** A start time for the {@code *Time} methods; zero while disabled. */
    public long start() {
        return enabled ? System.nanoTime() : 0;
    }

    public void hit() {
        if (enabled) {
            statistics.recordHits(1);
        }
    }

    public void miss() {
        if (enabled) {
            statistics.recordMisses(1);
        }
    }

    /** A hit if {@code found}, else a miss. */
    public void lookup(boolean found) {
        if (found) {
            hit();
        } else {
            miss();
        }
    }

    public void puts(long count) {
        if (enabled && count > 0) {
            statistics.recordPuts(count);
        }
    }

    public void removals(long count) {
        if (enabled && count > 0) {
            statistics.recordRemovals(count);
        }
    }

    public void getTime(long start) {
        if (enabled && start != 0) {
            statistics.recordGetTime(System.nanoTime() - start);
        }
    }

    public void putTime(long start) {
        if (enabled && start != 0) {
            statistics.recordPutTime(System.nanoTime() - start);
        }
    }

    public void removeTime(long start) {
        if (enabled && start != 0) {
            statistics.recordRemoveTime(System.nanoTime() - start);
        }
    }

    /** One put done: counted, and timed from {@code start}. */
    public void put(long start) {
        puts(1);
        putTime(start);
    }

    /** One removal done: counted, and timed from {@code start}. */
    public void removal(long start) {
        removals(1);
        removeTime(start);
    }
}
