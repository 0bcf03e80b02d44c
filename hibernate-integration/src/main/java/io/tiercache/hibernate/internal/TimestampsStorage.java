package io.tiercache.hibernate.internal;

import io.tiercache.engine.Mutation;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.hibernate.Warnings;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The update-timestamps region's storage. Each space's {@link SpaceTimestamps} is changed atomically across nodes
 * (the engine's coordinated compute) and every change is seen by all nodes before Hibernate goes on, since it
 * decides whether any node's cached query results are still valid. Times come from the clock every node shares
 * (Redis's, see {@link SyncEngine#sharedTimeMillis()}), and an invalidation is stamped as late as it may have been:
 * plus twice the clock's uncertainty, so a result cached just before it is never taken for one cached after.
 */
public final class TimestampsStorage implements DomainDataStorageAccess {
    private static final Logger LOG = LoggerFactory.getLogger(TimestampsStorage.class);

    private final EngineStorage storage;
    private final SyncEngine engine;
    private final SubmitOptions options;
    private final LongSupplier now;
    private final long preInvalidationAhead;
    private final String anonymous = "node-" + UUID.randomUUID();

    /**
     * @param now                  the current time in Hibernate timestamp units, on the shared clock
     * @param preInvalidationAhead how far ahead of now a stored time marks a running transaction (half the lock
     *                             timeout Hibernate adds to a pre-invalidation)
     */
    public TimestampsStorage(EngineStorage storage, SyncEngine engine, SubmitOptions options, LongSupplier now,
                             long preInvalidationAhead) {
        this.storage = storage;
        this.engine = engine;
        this.options = options.awaitingInvalidation();
        this.now = now;
        this.preInvalidationAhead = preInvalidationAhead;
    }

    EngineStorage storage() {
        return storage;
    }

    @Override
    public Object getFromCache(Object key, SharedSessionContractImplementor session) {
        String id = storage.idOf(key, session);
        if (id == null) {
            return null;
        }
        try {
            return engine.get(id).map(this::decode).map(times -> times.lastUpdate(now.getAsLong())).orElse(null);
        } catch (RuntimeException e) {
            OutageLog.warn(LOG, Warnings.READ_FAILED, "reading update timestamps '{}' failed, served as a miss: {}",
                    id, e.toString());
            return null;
        }
    }

    @Override
    public void putIntoCache(Object key, Object value, SharedSessionContractImplementor session) {
        String id = storage.idOf(key, session);
        if (id == null || !(value instanceof Long time)) {
            return;
        }
        String transaction = session == null ? anonymous : session.getSessionIdentifier().toString();
        long margin = HybridTimestamper.units(2 * engine.sharedTimeUncertaintyMillis());
        try {
            engine.compute(id, current -> {
                long at = now.getAsLong();
                SpaceTimestamps times = current.map(this::decode).orElse(SpaceTimestamps.NONE);
                SpaceTimestamps next = time > at + preInvalidationAhead
                        ? times.preInvalidated(transaction, time + margin, at)
                        : times.invalidated(transaction, time + margin, at);
                return Mutation.put(next.encode(), options, null);
            });
        } catch (RuntimeException e) {
            // Only when the coordinating tier is down, and then no node serves cached results from it either.
            OutageLog.warn(LOG, Warnings.WRITE_FAILED, "update timestamps '{}' could not be stored: {}", id,
                    e.toString());
        }
    }

    private SpaceTimestamps decode(SyncItem item) {
        try {
            return SpaceTimestamps.decode(item.payload());
        } catch (IllegalArgumentException e) {
            LOG.warn("{} update timestamps '{}' do not decode ({}); the space counts as just updated",
                    Warnings.DECODE_FAILED, item.id(), e.getMessage());
            return SpaceTimestamps.NONE.invalidated("decode-failure", now.getAsLong(), now.getAsLong());
        }
    }

    @Override
    public boolean contains(Object key) {
        return getFromCache(key, null) != null;
    }

    @Override
    public void evictData() {
        storage.evictData();
    }

    @Override
    public void evictData(Object key) {
        storage.evictData(key);
    }

    @Override
    public void release() {
        storage.release();
    }
}
