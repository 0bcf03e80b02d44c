package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;

/** READ_WRITE natural-id access: natural id to entity id, with the same soft locks as entities (no versions). */
final class ReadWriteNaturalIdAccess extends ReadWriteAccess implements NaturalIdDataAccess {
    private final CacheKeysFactory keys;

    ReadWriteNaturalIdAccess(DomainDataRegion region, ReadWriteProtocol protocol, CacheKeysFactory keys) {
        super(region, protocol);
        this.keys = keys;
    }

    @Override
    public Object generateCacheKey(Object naturalIdValues, EntityPersister persister,
                                   SharedSessionContractImplementor session) {
        return keys.createNaturalIdKey(naturalIdValues, persister, session);
    }

    @Override
    public Object getNaturalIdValues(Object cacheKey) {
        return keys.getNaturalIdValues(cacheKey);
    }

    @Override
    public boolean insert(SharedSessionContractImplementor session, Object key, Object value) {
        return false;
    }

    @Override
    public boolean afterInsert(SharedSessionContractImplementor session, Object key, Object value) {
        return protocol.afterInsert(session, key, value, null);
    }

    @Override
    public boolean update(SharedSessionContractImplementor session, Object key, Object value) {
        return false;
    }

    @Override
    public boolean afterUpdate(SharedSessionContractImplementor session, Object key, Object value, SoftLock lock) {
        return protocol.afterUpdate(session, key, value, null, lock);
    }
}
