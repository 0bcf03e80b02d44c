package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.support.QueryResultsRegionTemplate;

/** The query results region: Hibernate's template over an {@link EngineStorage}, with element counts. */
public final class TierQueryResultsRegion extends QueryResultsRegionTemplate implements StorageStatistics {
    private final EngineStorage storage;

    public TierQueryResultsRegion(String name, RegionFactory factory, EngineStorage storage) {
        super(name, factory, storage);
        this.storage = storage;
    }

    @Override
    public EngineStorage storage() {
        return storage;
    }
}
