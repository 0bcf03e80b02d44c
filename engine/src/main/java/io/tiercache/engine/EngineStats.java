package io.tiercache.engine;

/**
 * Counters and sizes for monitoring and demos. Item counts of shared tiers are -1 when the tier is absent or did not
 * answer. {@code l3Reads} counts queries reads sent to L3; {@code filter} is the existence filter's view (its
 * {@code skips} are misses answered without asking L3).
 */
public record EngineStats(long l1Items, long l1Bytes, long l1MaxBytes, long l2Items, long l3Items, long walDepth,
                          int queuedWrites, long pinnedBytes, long l1Hits, long l2Hits, long l3Hits, long misses,
                          long flushes, long itemsFlushed, long itemsJournaled, long itemsDrained, long l3Reads,
                          FilterStats filter) {

    /** Share of reads served from L1. */
    public double l1HitRatio() {
        long reads = l1Hits + l2Hits + l3Hits + misses;
        return reads == 0 ? 0.0 : (double) l1Hits / reads;
    }
}
