package io.tiercache.hibernate.internal;

import io.tiercache.engine.Mutation;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.hibernate.Warnings;
import io.tiercache.hibernate.codec.EntryCodec;
import io.tiercache.hibernate.codec.UnsupportedValueException;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * One region's view of the engine: keys become {@code <region>/<key text>} ids, values go through the
 * {@link EntryCodec}. An entry that does not decode (corrupt, foreign, or written for another schema) is a miss and
 * is evicted; a value the codecs cannot store is not cached. Neither ever fails the application's transaction.
 */
public final class EngineStorage implements DomainDataStorageAccess {
    private static final Logger LOG = LoggerFactory.getLogger(EngineStorage.class);
    private static final int SIZE_SCAN_PAGE = 1000;

    private final SyncEngine engine;
    private final String region;
    private final String prefix;
    private final EntryCodec codec;
    private final SubmitOptions options;
    private final boolean countsAreInMemory;
    private final LongAdder decodeFailures = new LongAdder();
    private final Set<String> reportedRoles = ConcurrentHashMap.newKeySet();

    public EngineStorage(SyncEngine engine, String region, EntryCodec codec, SubmitOptions options) {
        this.engine = engine;
        this.region = region;
        this.prefix = region + "/";
        this.codec = codec;
        this.options = options;
        this.countsAreInMemory = !engine.config().sqlEnabled() && engine.config().redisUrl() == null;
    }

    public String region() {
        return region;
    }

    public EntryCodec codec() {
        return codec;
    }

    private void delete(String id) {
        if (id != null) {
            engine.delete(id);
        }
    }

    /** The engine id an entry of this region is stored under, or null for a key that cannot be named stably. */
    public String idOf(Object key, SharedSessionContractImplementor session) {
        return EngineIds.of(prefix, key, session == null ? null : session.getTenantIdentifier());
    }

    @Override
    public Object getFromCache(Object key, SharedSessionContractImplementor session) {
        String id = idOf(key, session);
        if (id == null) {
            return null;
        }
        try {
            return engine.get(id).map(item -> decodeOrEvict(id, item)).orElse(null);
        } catch (RuntimeException e) {
            OutageLog.warn(LOG, Warnings.READ_FAILED, "reading '{}' failed, served as a miss: {}", id, e.toString());
            return null;
        }
    }

    @Override
    public void putIntoCache(Object key, Object value, SharedSessionContractImplementor session) {
        String id = idOf(key, session);
        if (id == null) {
            return;
        }
        try {
            write(id, codec.encode(roleOf(key), value), options);
        } catch (UnsupportedValueException e) {
            reportUnsupported(roleOf(key), e);
        }
    }

    /**
     * Reads, decides and writes one entry atomically (the engine's per-id compute), so soft locks are a
     * compare-and-set: nobody else's change can land between what {@code decision} saw and what it wrote.
     * An entry that does not decode is shown to {@code decision} as absent.
     */
    <R> R update(Object key, SharedSessionContractImplementor session, Function<Object, Change<R>> decision) {
        String id = idOf(key, session);
        if (id == null) {
            return decision.apply(null).result();
        }
        return engine.compute(id, current -> {
            Object decoded = current.map(item -> decodeOrNull(id, item)).orElse(null);
            Change<R> change = decision.apply(decoded);
            return switch (change.kind()) {
                case KEEP -> Mutation.keep(change.result());
                case REMOVE -> Mutation.delete(change.result());
                case PUT -> {
                    try {
                        byte[] bytes = codec.encode(roleOf(key), change.value());
                        SubmitOptions writeOptions = withTtl(change.ttl());
                        yield Mutation.put(bytes, change.seenEverywhere() ? writeOptions.awaitingInvalidation()
                                : writeOptions, change.result());
                    } catch (UnsupportedValueException e) {
                        reportUnsupported(roleOf(key), e);
                        yield Mutation.delete(change.result());
                    }
                }
            };
        });
    }

    /** Whether a usable entry is cached: one that decodes (a bad one is evicted on the way). */
    @Override
    public boolean contains(Object key) {
        return getFromCache(key, null) != null;
    }

    @Override
    public void evictData() {
        try {
            engine.deletePrefix(prefix).join();
        } catch (RuntimeException e) {
            // The shared tier that lists the region's ids is down. Dropping this node's L1 keeps it from serving what
            // the eviction meant to remove; copies in the shared tier are reached by the engine's owed invalidations
            // only for single writes, so the warning says the region may hold old entries until they expire.
            engine.clearL1();
            OutageLog.warn(LOG, Warnings.WRITE_FAILED, "evicting region '{}' failed, this node's memory tier was "
                    + "dropped instead; the shared tier may keep old entries of it: {}", region, e.toString());
        }
    }

    @Override
    public void evictData(Object key) {
        delete(idOf(key, null));
    }

    @Override
    public void removeFromCache(Object key, SharedSessionContractImplementor session) {
        delete(idOf(key, session));
    }

    @Override
    public void release() {
        // the engine belongs to the region factory, which shuts it down once for all regions
    }

    /** How many entries the region holds (in memory when the engine runs on L1 only), or -1 while unknown. */
    public long elementCount() {
        try {
            return engine.countPrefix(prefix);
        } catch (RuntimeException e) {
            // statistics must not fail because the tier that counts (Redis or SQL) is down
            OutageLog.warn(LOG, Warnings.READ_FAILED, "counting region '{}' failed: {}", region, e.toString());
            return -1;
        }
    }

    /** Hibernate's in-memory element count: the count when the engine keeps entries in memory only, else -1. */
    public long elementCountInMemory() {
        return countsAreInMemory ? elementCount() : -1;
    }

    /** Hibernate's on-disk element count: the count when a persistent tier holds the entries, else 0. */
    public long elementCountOnDisk() {
        return countsAreInMemory ? 0 : elementCount();
    }

    /** Hibernate's in-memory size: the payload bytes when entries live in memory only, else -1. */
    public long sizeInMemory() {
        return countsAreInMemory ? sizeInBytes() : -1;
    }

    public boolean countsAreInMemory() {
        return countsAreInMemory;
    }

    /** Payload bytes of the region's entries, summed page by page, or -1 while unknown. */
    public long sizeInBytes() {
        try {
            return payloadBytes();
        } catch (RuntimeException e) {
            OutageLog.warn(LOG, Warnings.READ_FAILED, "sizing region '{}' failed: {}", region, e.toString());
            return -1;
        }
    }

    private long payloadBytes() {
        long bytes = 0;
        String after = null;
        while (true) {
            List<SyncItem> page = engine.scanPrefix(prefix, after, SIZE_SCAN_PAGE);
            for (SyncItem item : page) {
                bytes += item.payloadSize();
            }
            if (page.size() < SIZE_SCAN_PAGE) {
                return bytes;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    /** Entries that failed to decode since start (each was treated as a miss and evicted). */
    public long decodeFailures() {
        return decodeFailures.sum();
    }

    private void write(String id, byte[] bytes, SubmitOptions writeOptions) {
        try {
            engine.submitWith(id, bytes, writeOptions).whenComplete((item, failure) -> {
                if (failure != null) {
                    OutageLog.warn(LOG, Warnings.WRITE_FAILED,
                            "cache write of '{}' failed; the entry is only in this node's memory: {}", id,
                            failure.toString());
                }
            });
        } catch (RuntimeException e) {
            // back-pressure or a tier outage: skipping a cache put is always safe
            OutageLog.warn(LOG, Warnings.WRITE_FAILED, "cache write of '{}' refused, not cached: {}", id, e.toString());
        }
    }

    private Object decodeOrEvict(String id, SyncItem item) {
        Object decoded = decodeOrNull(id, item);
        if (decoded == null) {
            engine.delete(id);
        }
        return decoded;
    }

    /** Decodes a value nested in another entry (a READ_WRITE item); a failure evicts the whole entry. */
    Object decodeNested(Object key, SharedSessionContractImplementor session, byte[] bytes) {
        String id = idOf(key, session);
        Object decoded = decodeOrNull(id, bytes);
        if (decoded == null && id != null) {
            engine.delete(id);
        }
        return decoded;
    }

    private Object decodeOrNull(String id, SyncItem item) {
        return decodeOrNull(id, item.payload());
    }

    private Object decodeOrNull(String id, byte[] payload) {
        try {
            return codec.decode(payload);
        } catch (IOException | RuntimeException e) {
            decodeFailures.increment();
            LOG.warn("{} entry '{}' in region '{}' could not be decoded, treated as a miss and evicted: {}",
                    Warnings.DECODE_FAILED, id, region, e.getMessage());
            return null;
        }
    }

    private SubmitOptions withTtl(Duration ttl) {
        return ttl == null ? options : options.withTtl(ttl);
    }

    void reportUnsupported(String role, UnsupportedValueException e) {
        if (reportedRoles.add(role)) {
            LOG.warn("{} '{}' entries in region '{}' are not cached: {} (add the class to "
                    + "hibernate.cache.tiercache.serialization.allowlist to store it with Java serialization)",
                    Warnings.NOT_ENCODABLE, role, region, e.getMessage());
        }
    }

    static String roleOf(Object key) {
        return key instanceof TierCacheKey k ? k.role() : "";
    }
}
