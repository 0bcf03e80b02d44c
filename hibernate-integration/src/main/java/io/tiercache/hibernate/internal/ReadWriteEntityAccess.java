package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;

/** READ_WRITE entity access: new state is cached after commit, under the soft lock taken before the change. */
final class ReadWriteEntityAccess extends ReadWriteAccess implements EntityDataAccess {
    private final CacheKeysFactory keys;

    ReadWriteEntityAccess(DomainDataRegion region, ReadWriteProtocol protocol, CacheKeysFactory keys) {
        super(region, protocol);
        this.keys = keys;
    }

    @Override
    public Object generateCacheKey(Object id, EntityPersister persister, SessionFactoryImplementor factory,
                                   String tenantIdentifier) {
        return keys.createEntityKey(id, persister, factory, tenantIdentifier);
    }

    @Override
    public Object getCacheKeyId(Object cacheKey) {
        return keys.getEntityId(cacheKey);
    }

    @Override
    public boolean insert(SharedSessionContractImplementor session, Object key, Object value, Object version) {
        return false;
    }

    @Override
    public boolean afterInsert(SharedSessionContractImplementor session, Object key, Object value, Object version) {
        return protocol.afterInsert(session, key, value, version);
    }

    @Override
    public boolean update(SharedSessionContractImplementor session, Object key, Object value, Object currentVersion,
                          Object previousVersion) {
        return false;
    }

    @Override
    public boolean afterUpdate(SharedSessionContractImplementor session, Object key, Object value,
                               Object currentVersion, Object previousVersion, SoftLock lock) {
        return protocol.afterUpdate(session, key, value, currentVersion, lock);
    }
}
