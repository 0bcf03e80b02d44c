package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.CollectionDataAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.collection.CollectionPersister;

/** READ_WRITE collection access: a changed collection is locked, then unlocked (never re-put) after commit. */
final class ReadWriteCollectionAccess extends ReadWriteAccess implements CollectionDataAccess {
    private final CacheKeysFactory keys;

    ReadWriteCollectionAccess(DomainDataRegion region, ReadWriteProtocol protocol, CacheKeysFactory keys) {
        super(region, protocol);
        this.keys = keys;
    }

    @Override
    public Object generateCacheKey(Object id, CollectionPersister persister, SessionFactoryImplementor factory,
                                   String tenantIdentifier) {
        return keys.createCollectionKey(id, persister, factory, tenantIdentifier);
    }

    @Override
    public Object getCacheKeyId(Object cacheKey) {
        return keys.getCollectionId(cacheKey);
    }
}
