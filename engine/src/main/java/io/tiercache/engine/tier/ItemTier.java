package io.tiercache.engine.tier;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every tier does: memory, Redis and SQL each implement this one interface and pass the same contract tests.
 *
 * <p>Reads return what is stored, expired or not, corrupt or not: the engine decides what to serve (so it can detect
 * corruption and heal it). Scans and counts skip items expired at {@code nowMillis}, ordered by id so a caller can
 * page with {@code afterId}. Writes are version-guarded (see {@link TierWrite}) and a batch is applied atomically
 * where the backend allows it.
 */
public interface ItemTier extends AutoCloseable {

    Tier level();

    /** A short human description, e.g. {@code sqlite:/data/l3.db}, with no secrets in it. */
    String describe();

    Optional<SyncItem> get(String id) throws TierAccessException;

    /** The stored items among {@code ids}; absent ids are absent from the map. */
    Map<String, SyncItem> getMany(Collection<String> ids) throws TierAccessException;

    void apply(List<? extends TierWrite> writes) throws TierAccessException;

    /**
     * Applies writes the ground truth below does not hold (routed to this tier only). A tier that keeps merkle trees
     * of what it shares with the ground truth leaves these items out of them, so reconciliation neither counts nor
     * removes them.
     */
    default void applyCacheOnly(List<? extends TierWrite> writes) throws TierAccessException {
        apply(writes);
    }

    /** Items whose id starts with {@code prefix} (taken literally) and sorts after {@code afterId} (null: from start). */
    List<SyncItem> scanPrefix(String prefix, String afterId, int limit, long nowMillis) throws TierAccessException;

    long countPrefix(String prefix, long nowMillis) throws TierAccessException;

    List<String> idsByPrefix(String prefix, String afterId, int limit, long nowMillis) throws TierAccessException;

    List<SyncItem> scanState(String state, String afterId, int limit, long nowMillis) throws TierAccessException;

    long countByState(String state, long nowMillis) throws TierAccessException;

    List<String> idsByState(String state, String afterId, int limit, long nowMillis) throws TierAccessException;

    /** Removes items expired at {@code nowMillis}; returns how many. */
    long purgeExpired(long nowMillis) throws TierAccessException;

    /** Number of stored items, expired ones included (a statistic, not a query). */
    long size() throws TierAccessException;

    /**
     * A cache tier whose server is near its memory limit removes its least recently used items; the engine calls
     * this periodically when a ground truth below holds every item. Returns how many were removed.
     */
    default long evictIfNeeded() throws TierAccessException {
        return 0;
    }

    /** A cheap round trip proving the tier answers. */
    void ping() throws TierAccessException;

    @Override
    void close();
}
