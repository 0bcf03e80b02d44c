package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.support.TimestampsRegionTemplate;

/** The update-timestamps region: Hibernate's template over an {@link EngineStorage}, with element counts. */
public final class TierTimestampsRegion extends TimestampsRegionTemplate implements StorageStatistics {
    private final EngineStorage storage;

    public TierTimestampsRegion(String name, RegionFactory factory, TimestampsStorage timestamps) {
        super(name, factory, timestamps);
        this.storage = timestamps.storage();
    }

    @Override
    public EngineStorage storage() {
        return storage;
    }
}
