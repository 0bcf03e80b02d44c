package io.tiercache.hibernate.internal;

import io.tiercache.engine.TierUnavailableException;
import io.tiercache.hibernate.TierCacheRegionFactory;
import io.tiercache.hibernate.Warnings;
import io.tiercache.hibernate.codec.RwItem;
import io.tiercache.hibernate.codec.RwLock;
import io.tiercache.hibernate.codec.UnsupportedValueException;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * READ_WRITE semantics (Hibernate's soft-lock protocol) with every read-decide-write step done as one atomic
 * {@link EngineStorage#update}: a compare-and-set on the shared entry rather than a JVM-local lock, so it holds across
 * nodes once the engine's shared tier does. Locks carry their owner and lock id (only that handle releases them)
 * and a timeout after which loads may replace them; lock entries also expire in the engine after the lock timeout,
 * so a crashed transaction cannot leave one behind for good.
 */
final class ReadWriteProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(ReadWriteProtocol.class);

    private final EngineStorage storage;
    private final RegionFactory timestamps;
    private final Comparator<Object> versions;
    private final Duration lockTtl;
    private final UUID owner = UUID.randomUUID();
    private final AtomicLong nextLockId = new AtomicLong();

    @SuppressWarnings("unchecked")
    ReadWriteProtocol(EngineStorage storage, RegionFactory timestamps, Comparator<?> versions, Duration lockTtl) {
        this.storage = storage;
        this.timestamps = timestamps;
        this.versions = (Comparator<Object>) versions;
        this.lockTtl = lockTtl;
    }

    EngineStorage storage() {
        return storage;
    }

    /** The value if an unlocked item exists that was cached before this transaction started. */
    Object get(SharedSessionContractImplementor session, Object key) {
        Object entry = storage.getFromCache(key, session);
        if (!(entry instanceof RwItem item)) {
            return null;
        }
        if (timestamps instanceof TierCacheRegionFactory clock) {
            // an item stamped by a node whose clock runs ahead: stamp our own later writes after it
            clock.observeTimestamp(item.timestamp());
        }
        return txTimestamp(session) > item.timestamp() ? storage.decodeNested(key, session, item.value()) : null;
    }

    boolean putFromLoad(SharedSessionContractImplementor session, Object key, Object value, Object version) {
        byte[] bytes = encode(key, value);
        if (bytes == null) {
            return false;
        }
        long txTimestamp = txTimestamp(session);
        return cacheOrSkip(key, () -> storage.update(key, session, current -> {
            boolean writeable;
            if (current instanceof RwItem item) {
                writeable = item.version() != null && versions != null && versions.compare(item.version(), version) < 0;
            } else if (current instanceof RwLock lock) {
                writeable = lock.isWriteable(txTimestamp, version, versions);
            } else {
                writeable = true;
            }
            return writeable ? Change.put(new RwItem(bytes, version, txTimestamp), null, true) : Change.keep(false);
        }));
    }

    /**
     * Locks the entry before a change. Unlike loads, this may not be skipped when the engine refuses: an update
     * that ran without its lock would leave the old value readable, so the error reaches the transaction.
     */
    SoftLock lockItem(SharedSessionContractImplementor session, Object key, Object version) {
        long now = timestamps.nextTimestamp();
        long timeout = now + timestamps.getTimeout();
        try {
            return placeLock(session, key, version, now, timeout);
        } catch (TierUnavailableException e) {
            // The tier that arbitrates locks between nodes is down, so no node serves from it either; evicting this
            // node's copy leaves nothing stale here, and the shared copy is owed an invalidation until it returns.
            // The handle releases nothing: completing the change evicts again instead of unlocking.
            OutageLog.warn(LOG, Warnings.WRITE_FAILED, "soft lock on '{}' in region '{}' could not be placed, the "
                    + "entry is evicted instead: {}", key, storage.region(), e.getMessage());
            storage.evictData(key);
            return new TierSoftLock(owner, -1);
        }
    }

    private SoftLock placeLock(SharedSessionContractImplementor session, Object key, Object version, long now,
                               long timeout) {
        return storage.update(key, session, current -> {
            RwLock lock;
            // a live lock is shared (the change is concurrent); an expired lock or an unlock marker is replaced
            if (current instanceof RwLock held && held.isLocked() && now <= held.timeout()) {
                lock = held.lockedAgain(timeout);
            } else {
                Object lockedVersion = current instanceof RwItem item ? item.version() : version;
                lock = new RwLock(owner, nextLockId.getAndIncrement(), lockedVersion, timeout, false, 1, 0L);
            }
            // Seen everywhere before the database changes: no node may go on serving the state being replaced.
            return Change.putSeenEverywhere(lock, lockTtl, new TierSoftLock(lock.owner(), lock.lockId()));
        });
    }

    void unlockItem(SharedSessionContractImplementor session, Object key, SoftLock handle) {
        evictOnFailure(key, () -> storage.update(key, session, current -> current instanceof RwLock lock
                && releasedBy(lock, handle) ? Change.put(lock.unlocked(timestamps.nextTimestamp()), lockTtl, null)
                : expired(key, current, null)));
    }

    boolean afterInsert(SharedSessionContractImplementor session, Object key, Object value, Object version) {
        byte[] bytes = encode(key, value);
        if (bytes == null) {
            return false;
        }
        long now = timestamps.nextTimestamp();
        return cacheOrSkip(key, () -> storage.update(key, session, current -> current == null
                ? Change.put(new RwItem(bytes, version, now), null, true) : Change.keep(false)));
    }

    boolean afterUpdate(SharedSessionContractImplementor session, Object key, Object value, Object version,
                        SoftLock handle) {
        byte[] bytes = encode(key, value);
        long now = timestamps.nextTimestamp();
        Boolean cached = evictOnFailure(key, () -> storage.update(key, session, current -> {
            if (!(current instanceof RwLock lock) || !releasedBy(lock, handle)) {
                return expired(key, current, false);
            }
            if (lock.concurrent() || bytes == null) {
                // another transaction changed it too, or the new state cannot be stored: leave a marker, not a value
                return Change.put(lock.unlocked(now), lockTtl, false);
            }
            return Change.put(new RwItem(bytes, version, now), null, true);
        }));
        return Boolean.TRUE.equals(cached);
    }

    /** Removal keeps a soft lock in place: dropping it would let a stale load in. */
    void remove(SharedSessionContractImplementor session, Object key) {
        evictOnFailure(key, () -> storage.update(key, session,
                current -> current instanceof RwLock ? Change.keep(null) : Change.remove(null)));
    }

    /**
     * Our lock is gone (it timed out and was replaced, or evicted). A live lock of another transaction stays as it
     * is; otherwise a marker stamped now keeps out loads by transactions that started before this one ended.
     */
    private <R> Change<R> expired(Object key, Object current, R result) {
        long now = timestamps.nextTimestamp();
        if (current instanceof RwLock other && other.isLocked() && now <= other.timeout()) {
            return Change.keep(result);
        }
        LOG.info("{} soft lock on '{}' in region '{}' had expired or was replaced; the entry stays unreadable until "
                + "the lock timeout", Warnings.SOFT_LOCK_EXPIRED, key, storage.region());
        RwLock marker = new RwLock(owner, nextLockId.getAndIncrement(), null, now + timestamps.getTimeout(), false, 0,
                now);
        return Change.put(marker, lockTtl, result);
    }

    /** Caching a load is optional: if the engine refuses (back-pressure, a tier down), the load is just not cached. */
    private boolean cacheOrSkip(Object key, Supplier<Boolean> put) {
        try {
            return put.get();
        } catch (RuntimeException e) {
            OutageLog.warn(LOG, Warnings.WRITE_FAILED, "caching '{}' in region '{}' failed, not cached: {}", key,
                    storage.region(), e.toString());
            return false;
        }
    }

    /**
     * Completing a change must not leave the old value readable: if the lock cannot be released in place, the
     * entry is evicted, and only if that fails too does the error reach the transaction.
     */
    private <R> R evictOnFailure(Object key, Supplier<R> completion) {
        try {
            return completion.get();
        } catch (RuntimeException e) {
            LOG.warn("{} completing the change of '{}' in region '{}' failed, evicting it: {}", Warnings.WRITE_FAILED,
                    key, storage.region(), e.toString());
            storage.evictData(key);
            return null;
        }
    }

    private static boolean releasedBy(RwLock lock, SoftLock handle) {
        return handle instanceof TierSoftLock tierLock && tierLock.releases(lock) && lock.isLocked();
    }

    private byte[] encode(Object key, Object value) {
        try {
            return storage.codec().encode(EngineStorage.roleOf(key), value);
        } catch (UnsupportedValueException e) {
            storage.reportUnsupported(EngineStorage.roleOf(key), e);
            return null;
        }
    }

    private static long txTimestamp(SharedSessionContractImplementor session) {
        return session.getCacheTransactionSynchronization().getCachingTimestamp();
    }
}
