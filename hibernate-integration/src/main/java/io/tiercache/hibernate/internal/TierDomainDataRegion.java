package io.tiercache.hibernate.internal;

import io.tiercache.hibernate.Warnings;
import org.hibernate.cache.CacheException;
import org.hibernate.cache.cfg.spi.CollectionDataCachingConfig;
import org.hibernate.cache.cfg.spi.DomainDataCachingConfig;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.cfg.spi.NaturalIdDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.CollectionDataAccess;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.cache.spi.support.AbstractDomainDataRegion;
import org.hibernate.cache.spi.support.CollectionNonStrictReadWriteAccess;
import org.hibernate.cache.spi.support.CollectionReadOnlyAccess;
import org.hibernate.cache.spi.support.CollectionTransactionAccess;
import org.hibernate.cache.spi.support.EntityNonStrictReadWriteAccess;
import org.hibernate.cache.spi.support.EntityReadOnlyAccess;
import org.hibernate.cache.spi.support.EntityTransactionalAccess;
import org.hibernate.cache.spi.support.NaturalIdNonStrictReadWriteAccess;
import org.hibernate.cache.spi.support.NaturalIdReadOnlyAccess;
import org.hibernate.cache.spi.support.NaturalIdTransactionalAccess;

import java.time.Duration;
import java.util.Comparator;

/**
 * An entity, collection or natural-id region over one {@link EngineStorage}. READ_ONLY and NONSTRICT_READ_WRITE use
 * Hibernate's own access classes (they only get, put and evict); READ_WRITE uses the engine-atomic
 * {@link ReadWriteProtocol}; TRANSACTIONAL is allowed only with a JTA platform.
 */
public final class TierDomainDataRegion extends AbstractDomainDataRegion implements StorageStatistics {
    private final EngineStorage storage;
    private final boolean jta;
    private final Duration lockTtl;

    public TierDomainDataRegion(DomainDataRegionConfig config, RegionFactory factory, EngineStorage storage,
                                CacheKeysFactory keys, DomainDataRegionBuildingContext context, boolean jta,
                                Duration lockTtl) {
        super(config, factory, keys, context);
        this.storage = storage;
        this.jta = jta;
        this.lockTtl = lockTtl;
        completeInstantiation(config, context);
    }

    @Override
    public EngineStorage storage() {
        return storage;
    }

    @Override
    protected EntityDataAccess generateEntityAccess(EntityDataCachingConfig config) {
        CacheKeysFactory keys = getEffectiveKeysFactory();
        return switch (config.getAccessType()) {
            case READ_ONLY -> new EntityReadOnlyAccess(this, keys, storage, config);
            case NONSTRICT_READ_WRITE -> new EntityNonStrictReadWriteAccess(this, keys, storage, config);
            case READ_WRITE -> new ReadWriteEntityAccess(this, protocol(config.getVersionComparatorAccess() == null
                    ? null : config.getVersionComparatorAccess().get()), keys);
            case TRANSACTIONAL -> new EntityTransactionalAccess(this, keys, requireJta(config, "entity"), config);
        };
    }

    @Override
    protected CollectionDataAccess generateCollectionAccess(CollectionDataCachingConfig config) {
        CacheKeysFactory keys = getEffectiveKeysFactory();
        return switch (config.getAccessType()) {
            case READ_ONLY -> new CollectionReadOnlyAccess(this, keys, storage, config);
            case NONSTRICT_READ_WRITE -> new CollectionNonStrictReadWriteAccess(this, keys, storage, config);
            case READ_WRITE -> new ReadWriteCollectionAccess(this, protocol(config.getOwnerVersionComparator()), keys);
            case TRANSACTIONAL -> new CollectionTransactionAccess(this, keys, requireJta(config, "collection"),
                    config);
        };
    }

    @Override
    protected NaturalIdDataAccess generateNaturalIdAccess(NaturalIdDataCachingConfig config) {
        CacheKeysFactory keys = getEffectiveKeysFactory();
        return switch (config.getAccessType()) {
            case READ_ONLY -> new NaturalIdReadOnlyAccess(this, keys, storage, config);
            case NONSTRICT_READ_WRITE -> new NaturalIdNonStrictReadWriteAccess(this, keys, storage, config);
            case READ_WRITE -> new ReadWriteNaturalIdAccess(this, protocol(null), keys);
            case TRANSACTIONAL -> new NaturalIdTransactionalAccess(this, keys, requireJta(config, "natural id of"),
                    config);
        };
    }

    private ReadWriteProtocol protocol(Comparator<?> versions) {
        return new ReadWriteProtocol(storage, getRegionFactory(), versions, lockTtl);
    }

    private EngineStorage requireJta(DomainDataCachingConfig config, String what) {
        if (!jta) {
            throw new CacheException(Warnings.TRANSACTIONAL_WITHOUT_JTA + " " + what + " '"
                    + config.getNavigableRole().getFullPath() + "' in cache region '" + getName() + "' is mapped with "
                    + AccessType.TRANSACTIONAL.getExternalName() + " cache access, which needs a JTA platform "
                    + "(hibernate.transaction.jta.platform) and none is configured; map it READ_WRITE instead, or "
                    + "configure JTA");
        }
        return storage;
    }

}
