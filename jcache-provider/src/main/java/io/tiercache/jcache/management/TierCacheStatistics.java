package io.tiercache.jcache.management;

import javax.cache.management.CacheStatisticsMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache's JCache statistics, counted by the cache proxy whether or not the MXBean is registered (the proxy only
 * records while statistics are enabled). Average times are in microseconds, as the MXBean contract says.
 *
 * <pre>{@code
 * TierCacheStatistics stats = new TierCacheStatistics();
 * stats.recordHits(1);
 * stats.getCacheHitPercentage(); // 100.0
 * }</pre>
 */
public final class TierCacheStatistics implements CacheStatisticsMXBean {
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder removals = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder getNanos = new LongAdder();
    private final LongAdder putNanos = new LongAdder();
    private final LongAdder removeNanos = new LongAdder();

    public void recordHits(long count) {
        hits.add(count);
    }

    public void recordMisses(long count) {
        misses.add(count);
    }

    public void recordPuts(long count) {
        puts.add(count);
    }

    public void recordRemovals(long count) {
        removals.add(count);
    }

    public void recordGetTime(long nanos) {
        getNanos.add(nanos);
    }

    public void recordPutTime(long nanos) {
        putNanos.add(nanos);
    }

    public void recordRemoveTime(long nanos) {
        removeNanos.add(nanos);
    }

    @Override
    public void clear() {
        for (LongAdder adder : new LongAdder[]{hits, misses, puts, removals, evictions, getNanos, putNanos,
                removeNanos}) {
            adder.reset();
        }
    }

    @Override
    public long getCacheHits() {
        return hits.sum();
    }

    @Override
    public float getCacheHitPercentage() {
        long gets = getCacheGets();
        return gets == 0 ? 0 : getCacheHits() * 100.0f / gets;
    }

    @Override
    public long getCacheMisses() {
        return misses.sum();
    }

    @Override
    public float getCacheMissPercentage() {
        long gets = getCacheGets();
        return gets == 0 ? 0 : getCacheMisses() * 100.0f / gets;
    }

    @Override
    public long getCacheGets() {
        return getCacheHits() + getCacheMisses();
    }

    @Override
    public long getCachePuts() {
        return puts.sum();
    }

    @Override
    public long getCacheRemovals() {
        return removals.sum();
    }

    @Override
    public long getCacheEvictions() {
        return evictions.sum();
    }

    @Override
    public float getAverageGetTime() {
        return averageMicros(getNanos.sum(), getCacheGets());
    }

    @Override
    public float getAveragePutTime() {
        return averageMicros(putNanos.sum(), getCachePuts());
    }

    @Override
    public float getAverageRemoveTime() {
        return averageMicros(removeNanos.sum(), getCacheRemovals());
    }

    private static float averageMicros(long nanos, long count) {
        return count == 0 ? 0 : nanos / 1000.0f / count;
    }
}
