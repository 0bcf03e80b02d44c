package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.ExtendedStatisticsSupport;

/**
 * Hibernate's element counts of a region, answered by the {@link EngineStorage} behind it: one place for the three
 * region kinds, whose Hibernate base classes differ.
 *
 * <pre>{@code
 * final class TierQueryResultsRegion extends QueryResultsRegionTemplate implements StorageStatistics {
 *     public EngineStorage storage() { return storage; }
 * }
 * }</pre>
 */
interface StorageStatistics extends ExtendedStatisticsSupport {
    /** The storage whose counts the region reports. */
    EngineStorage storage();

    @Override
    default long getElementCountInMemory() {
        return storage().elementCountInMemory();
    }

    @Override
    default long getElementCountOnDisk() {
        return storage().elementCountOnDisk();
    }

    @Override
    default long getSizeInMemory() {
        return storage().sizeInMemory();
    }
}
