package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.cache.spi.support.AbstractCachedDomainDataAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/** The part of READ_WRITE access shared by entities, collections and natural ids: all of it goes to the protocol. */
abstract class ReadWriteAccess extends AbstractCachedDomainDataAccess {
    protected final ReadWriteProtocol protocol;

    ReadWriteAccess(DomainDataRegion region, ReadWriteProtocol protocol) {
        super(region, protocol.storage());
        this.protocol = protocol;
    }

    @Override
    public AccessType getAccessType() {
        return AccessType.READ_WRITE;
    }

    /** Only a readable value counts as cached; a lock or unlock marker does not. */
    @Override
    public boolean contains(Object key) {
        return getStorageAccess().getFromCache(key, null) instanceof io.tiercache.hibernate.codec.RwItem;
    }

    @Override
    public Object get(SharedSessionContractImplementor session, Object key) {
        return protocol.get(session, key);
    }

    @Override
    public boolean putFromLoad(SharedSessionContractImplementor session, Object key, Object value, Object version) {
        return protocol.putFromLoad(session, key, value, version);
    }

    @Override
    public SoftLock lockItem(SharedSessionContractImplementor session, Object key, Object version) {
        return protocol.lockItem(session, key, version);
    }

    @Override
    public void unlockItem(SharedSessionContractImplementor session, Object key, SoftLock lock) {
        protocol.unlockItem(session, key, lock);
    }

    @Override
    public void remove(SharedSessionContractImplementor session, Object key) {
        protocol.remove(session, key);
    }

    @Override
    public void removeAll(SharedSessionContractImplementor session) {
        // bulk changes lock the region and evict it all on unlock (see lockRegion/unlockRegion)
    }
}
