package io.tiercache.jcache;

import io.tiercache.engine.Mutation;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.jcache.codec.Envelope;
import io.tiercache.jcache.codec.KeyCodec.KeyId;
import io.tiercache.jcache.event.EventDispatcher;
import io.tiercache.jcache.event.TierCacheEntryEvent;
import io.tiercache.jcache.management.MBeanRegistrar;
import io.tiercache.jcache.management.TierCacheMXBean;
import io.tiercache.jcache.management.TierCacheStatistics;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.event.EventType;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * The JCache {@link Cache} over the engine: every cache is the engine namespace {@code <name>/}, and every per-key
 * operation runs inside {@link SyncEngine#compute}, so it is atomic with respect to all other writes of that key
 * through the engine (loader, writer and expiry policy calls included). Listeners hear about the change after the
 * engine has applied it.
 *
 * <pre>{@code
 * CacheManager manager = Caching.getCachingProvider().getCacheManager();
 * Cache<String, Integer> counters = manager.createCache("counters",
 *         new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class));
 * counters.put("visits", 1);
 * counters.invoke("visits", (entry, args) -> { entry.setValue(entry.getValue() + 1); return null; });
 * SyncEngine engine = counters.unwrap(SyncEngine.class);   // the engine underneath
 * }</pre>
 */
public final class TierCache<K, V> implements Cache<K, V> {
    private final TierCacheManager manager;
    private final String name;
    private final TierCacheConfiguration<K, V> configuration;
    private final SyncEngine engine;
    private final StoredEntries<K, V> entries;
    private final Integration<K, V> integration;
    private final EventDispatcher<K, V> events;
    private final ExecutorService loadExecutor;
    private final TierCacheStatistics statistics = new TierCacheStatistics();
    private final TierCacheMXBean mxBean;
    private volatile boolean statisticsEnabled;
    private volatile boolean closed;

    TierCache(TierCacheManager manager, String name, TierCacheConfiguration<K, V> configuration, SyncEngine engine,
              StoredEntries<K, V> entries, Integration<K, V> integration, EventDispatcher<K, V> events,
              ExecutorService loadExecutor) {
        this.manager = manager;
        this.name = name;
        this.configuration = configuration;
        this.engine = engine;
        this.entries = entries;
        this.integration = integration;
        this.events = events;
        this.loadExecutor = loadExecutor;
        this.mxBean = new TierCacheMXBean(() -> configuration);
        setStatisticsEnabled(configuration.isStatisticsEnabled());
        setManagementEnabled(configuration.isManagementEnabled());
    }

    /** One stored entry as a compute function sees it. */
    private final class Current {
        final KeyId id;
        final Envelope envelope;
        final long now;
        private V value;

        Current(KeyId id, Optional<SyncItem> item, long now) {
            this.id = id;
            this.envelope = item.map(entries::envelopeOf).orElse(null);
            this.now = now;
        }

        boolean exists() {
            return envelope != null;
        }

        boolean live() {
            return envelope != null && !envelope.isExpiredAt(now) && entries.isAvailable(id.id(), envelope);
        }

        boolean expired() {
            return envelope != null && envelope.isExpiredAt(now) && entries.isAvailable(id.id(), envelope);
        }

        V value() {
            if (value == null) {
                value = entries.valueOf(id.id(), envelope);
            }
            return value;
        }

        <R> Mutation<R> write(StoredEntries.Prepared prepared, long expireAt, R result) {
            return entries.write(id, prepared, expireAt, now, result);
        }

        <R> Mutation<R> touch(Long expireAt, R result) {
            return expireAt == null ? Mutation.keep(result) : entries.rewriteExpiry(id.id(), envelope, expireAt, now,
                    result);
        }

        <R> Mutation<R> delete(R result) {
            return exists() ? entries.delete(id.id(), result) : Mutation.keep(result);
        }

        /** Stores a new entry with the creation expiry, or drops it when that expiry is already over. */
        <R> Mutation<R> create(K key, V newValue, StoredEntries.Prepared prepared, List<TierCacheEntryEvent<K, V>> out,
                               R created, R notCreated) {
            long expireAt = entries.creationExpiry(now);
            if (expireAt <= now) {
                return delete(notCreated);
            }
            out.add(event(EventType.CREATED, key, newValue, null));
            return write(prepared, expireAt, created);
        }

        /** Replaces the value, keeping the current expiry unless the policy gives an update expiry. */
        <R> Mutation<R> update(K key, V newValue, StoredEntries.Prepared prepared, List<TierCacheEntryEvent<K, V>> out,
                               R result) {
            Long expireAt = entries.updateExpiry(now);
            out.add(event(EventType.UPDATED, key, newValue, value()));
            return write(prepared, expireAt == null ? envelope.expireAt() : expireAt, result);
        }

        void reportExpired(K key, List<TierCacheEntryEvent<K, V>> out) {
            if (expired()) {
                out.add(event(EventType.EXPIRED, key, value(), value()));
            }
        }
    }

    private <R> R atomically(KeyId id, Function<Current, Mutation<R>> function) {
        requireOpen();
        try {
            return engine.compute(id.id(), item -> function.apply(new Current(id, item, entries.now())));
        } catch (CacheException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + name + "': " + e.getMessage(), e);
        }
    }

    private TierCacheEntryEvent<K, V> event(EventType type, K key, V value, V oldValue) {
        return new TierCacheEntryEvent<>(this, type, key, value, oldValue, type != EventType.CREATED);
    }

    private void dispatch(List<TierCacheEntryEvent<K, V>> batch) {
        events.dispatch(batch);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public V get(K key) {
        requireOpen();
        requireKey(key);
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(1);
        V value = getValue(key, out);
        dispatch(out);
        return value;
    }

    private V getValue(K key, List<TierCacheEntryEvent<K, V>> out) {
        long start = statisticsEnabled ? System.nanoTime() : 0;
        try {
            return atomically(entries.id(key), current -> {
                if (current.live()) {
                    record(stats -> stats.recordHits(1));
                    return current.touch(entries.accessExpiry(current.now), current.value());
                }
                current.reportExpired(key, out);
                record(stats -> stats.recordMisses(1));
                V loaded = integration.readsThrough() ? integration.load(key) : null;
                if (loaded == null) {
                    return current.delete(null);
                }
                return current.create(key, loaded, entries.prepare(loaded), out, loaded, null);
            });
        } finally {
            recordTime(start, TierCacheStatistics::recordGetTime);
        }
    }

    @Override
    public Map<K, V> getAll(Set<? extends K> keys) {
        requireOpen();
        requireKeys(keys);
        Map<K, V> found = new HashMap<>(keys.size());
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>();
        for (K key : keys) {
            V value = getValue(key, out);
            if (value != null) {
                found.put(key, value);
            }
        }
        dispatch(out);
        return found;
    }

    @Override
    public boolean containsKey(K key) {
        requireOpen();
        requireKey(key);
        KeyId id = entries.id(key);
        try {
            return engine.get(id.id()).map(item -> {
                Envelope envelope = entries.envelopeOf(item);
                return !envelope.isExpiredAt(entries.now()) && entries.isAvailable(id.id(), envelope);
            }).orElse(false);
        } catch (CacheException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + name + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener listener) {
        requireOpen();
        requireKeys(keys);
        if (!integration.hasLoader()) {
            if (listener != null) {
                listener.onCompletion();
            }
            return;
        }
        Set<K> snapshot = new LinkedHashSet<>(keys);
        loadExecutor.execute(() -> {
            try {
                List<K> toLoad = new ArrayList<>();
                for (K key : snapshot) {
                    if (replaceExistingValues || !containsKey(key)) {
                        toLoad.add(key);
                    }
                }
                Map<K, V> loaded = new LinkedHashMap<>();
                if (!toLoad.isEmpty()) {
                    integration.loadAll(toLoad).forEach((key, value) -> {
                        if (key != null && value != null) {
                            loaded.put(key, value);
                        }
                    });
                }
                putAll(loaded, replaceExistingValues, false);
                if (listener != null) {
                    listener.onCompletion();
                }
            } catch (Exception e) {
                if (listener != null) {
                    listener.onException(e);
                }
            }
        });
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void put(K key, V value) {
        requireOpen();
        requireEntry(key, value);
        long start = statisticsEnabled ? System.nanoTime() : 0;
        StoredEntries.Prepared prepared = entries.prepare(value);
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(2);
        boolean stored = atomically(entries.id(key), current -> {
            if (current.live()) {
                integration.write(key, value);
                return current.update(key, value, prepared, out, true);
            }
            current.reportExpired(key, out);
            integration.write(key, value);
            return current.create(key, value, prepared, out, true, false);
        });
        dispatch(out);
        if (stored) {
            record(stats -> stats.recordPuts(1));
            recordTime(start, TierCacheStatistics::recordPutTime);
        }
    }

    @Override
    public V getAndPut(K key, V value) {
        requireOpen();
        requireEntry(key, value);
        long start = statisticsEnabled ? System.nanoTime() : 0;
        StoredEntries.Prepared prepared = entries.prepare(value);
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(2);
        boolean[] stored = new boolean[1];
        V old = atomically(entries.id(key), current -> {
            if (current.live()) {
                integration.write(key, value);
                stored[0] = true;
                return current.update(key, value, prepared, out, current.value());
            }
            current.reportExpired(key, out);
            integration.write(key, value);
            Mutation<V> mutation = current.create(key, value, prepared, out, null, null);
            stored[0] = !out.isEmpty() && out.get(out.size() - 1).getEventType() == EventType.CREATED;
            return mutation;
        });
        dispatch(out);
        record(stats -> {
            if (old == null) {
                stats.recordMisses(1);
            } else {
                stats.recordHits(1);
            }
            if (stored[0]) {
                stats.recordPuts(1);
            }
        });
        recordTime(start, TierCacheStatistics::recordGetTime);
        if (stored[0]) {
            recordTime(start, TierCacheStatistics::recordPutTime);
        }
        return old;
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> map) {
        requireOpen();
        Objects.requireNonNull(map, "map must not be null");
        map.forEach(this::requireEntry);
        putAll(map, true, true);
    }

    /** Stores the entries; loadAll uses it without write-through and without counting puts. */
    private void putAll(Map<? extends K, ? extends V> map, boolean replaceExisting, boolean writeThrough) {
        long start = statisticsEnabled ? System.nanoTime() : 0;
        Map<K, V> toPut = new LinkedHashMap<>(map);
        CacheException failure = null;
        if (writeThrough && integration.writesThrough() && !toPut.isEmpty()) {
            Collection<Cache.Entry<? extends K, ? extends V>> batch = new ArrayList<>(toPut.size());
            toPut.forEach((k, v) -> batch.add(new TierCacheEntry<>(k, v)));
            failure = integration.writeAll(batch);
            if (failure != null) {
                for (Cache.Entry<? extends K, ? extends V> unwritten : batch) {
                    toPut.remove(unwritten.getKey());
                }
            }
        }
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(toPut.size());
        int puts = 0;
        for (Map.Entry<K, V> entry : toPut.entrySet()) {
            K key = entry.getKey();
            V value = entry.getValue();
            StoredEntries.Prepared prepared = entries.prepare(value);
            boolean stored = atomically(entries.id(key), current -> {
                if (current.live()) {
                    return replaceExisting ? current.update(key, value, prepared, out, true) : Mutation.keep(false);
                }
                current.reportExpired(key, out);
                return current.create(key, value, prepared, out, true, false);
            });
            puts += stored ? 1 : 0;
        }
        dispatch(out);
        if (writeThrough && puts > 0) {
            int count = puts;
            record(stats -> stats.recordPuts(count));
            recordTime(start, TierCacheStatistics::recordPutTime);
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public boolean putIfAbsent(K key, V value) {
        requireOpen();
        requireEntry(key, value);
        long start = statisticsEnabled ? System.nanoTime() : 0;
        StoredEntries.Prepared prepared = entries.prepare(value);
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(2);
        boolean stored = atomically(entries.id(key), current -> {
            if (current.live()) {
                return Mutation.keep(false);
            }
            current.reportExpired(key, out);
            integration.write(key, value);
            return current.create(key, value, prepared, out, true, false);
        });
        dispatch(out);
        record(stats -> {
            if (stored) {
                stats.recordPuts(1);
                stats.recordMisses(1);
            } else {
                stats.recordHits(1);
            }
        });
        if (stored) {
            recordTime(start, TierCacheStatistics::recordPutTime);
        }
        return stored;
    }

    @Override
    public boolean remove(K key) {
        requireOpen();
        requireKey(key);
        long start = statisticsEnabled ? System.nanoTime() : 0;
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(1);
        boolean removed = atomically(entries.id(key), current -> {
            integration.delete(key);
            if (current.live()) {
                out.add(event(EventType.REMOVED, key, current.value(), current.value()));
                return current.delete(true);
            }
            return current.delete(false);
        });
        dispatch(out);
        if (removed) {
            record(stats -> stats.recordRemovals(1));
            recordTime(start, TierCacheStatistics::recordRemoveTime);
        }
        return removed;
    }

    @Override
    public boolean remove(K key, V oldValue) {
        requireOpen();
        requireKey(key);
        Objects.requireNonNull(oldValue, "oldValue must not be null");
        long start = statisticsEnabled ? System.nanoTime() : 0;
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(1);
        boolean[] hit = new boolean[1];
        boolean removed = atomically(entries.id(key), current -> {
            if (!current.live()) {
                return Mutation.keep(false);
            }
            hit[0] = true;
            if (!Objects.deepEquals(current.value(), oldValue)) {
                return current.touch(entries.accessExpiry(current.now), false);
            }
            integration.delete(key);
            out.add(event(EventType.REMOVED, key, current.value(), current.value()));
            return current.delete(true);
        });
        dispatch(out);
        record(stats -> {
            if (hit[0]) {
                stats.recordHits(1);
            } else {
                stats.recordMisses(1);
            }
            if (removed) {
                stats.recordRemovals(1);
            }
        });
        recordTime(start, TierCacheStatistics::recordGetTime);
        if (removed) {
            recordTime(start, TierCacheStatistics::recordRemoveTime);
        }
        return removed;
    }

    @Override
    public V getAndRemove(K key) {
        requireOpen();
        requireKey(key);
        long start = statisticsEnabled ? System.nanoTime() : 0;
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(1);
        V old = atomically(entries.id(key), current -> {
            integration.delete(key);
            if (!current.live()) {
                return current.delete(null);
            }
            out.add(event(EventType.REMOVED, key, current.value(), current.value()));
            return current.delete(current.value());
        });
        dispatch(out);
        record(stats -> {
            if (old != null) {
                stats.recordHits(1);
                stats.recordRemovals(1);
            } else {
                stats.recordMisses(1);
            }
        });
        recordTime(start, TierCacheStatistics::recordGetTime);
        if (old != null) {
            recordTime(start, TierCacheStatistics::recordRemoveTime);
        }
        return old;
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        requireOpen();
        requireEntry(key, newValue);
        Objects.requireNonNull(oldValue, "oldValue must not be null");
        long start = statisticsEnabled ? System.nanoTime() : 0;
        StoredEntries.Prepared prepared = entries.prepare(newValue);
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(1);
        boolean[] hit = new boolean[1];
        boolean replaced = atomically(entries.id(key), current -> {
            if (!current.live()) {
                return Mutation.keep(false);
            }
            hit[0] = true;
            if (!Objects.deepEquals(current.value(), oldValue)) {
                return current.touch(entries.accessExpiry(current.now), false);
            }
            integration.write(key, newValue);
            return current.update(key, newValue, prepared, out, true);
        });
        dispatch(out);
        record(stats -> {
            if (hit[0]) {
                stats.recordHits(1);
            } else {
                stats.recordMisses(1);
            }
            if (replaced) {
                stats.recordPuts(1);
            }
        });
        recordTime(start, TierCacheStatistics::recordGetTime);
        if (replaced) {
            recordTime(start, TierCacheStatistics::recordPutTime);
        }
        return replaced;
    }

    @Override
    public boolean replace(K key, V value) {
        return getAndReplace(key, value, false) != null;
    }

    @Override
    public V getAndReplace(K key, V value) {
        return getAndReplace(key, value, true);
    }

    private V getAndReplace(K key, V value, boolean returnOld) {
        requireOpen();
        requireEntry(key, value);
        long start = statisticsEnabled ? System.nanoTime() : 0;
        StoredEntries.Prepared prepared = entries.prepare(value);
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(1);
        V old = atomically(entries.id(key), current -> {
            if (!current.live()) {
                return Mutation.keep(null);
            }
            integration.write(key, value);
            return current.update(key, value, prepared, out, current.value());
        });
        dispatch(out);
        record(stats -> {
            if (old != null) {
                stats.recordHits(1);
                stats.recordPuts(1);
            } else {
                stats.recordMisses(1);
            }
        });
        recordTime(start, TierCacheStatistics::recordGetTime);
        if (old != null) {
            recordTime(start, TierCacheStatistics::recordPutTime);
        }
        return returnOld ? old : (old == null ? null : value);
    }

    @Override
    public void removeAll(Set<? extends K> keys) {
        requireOpen();
        requireKeys(keys);
        removeKeys(new LinkedHashSet<>(keys), true);
    }

    @Override
    public void removeAll() {
        requireOpen();
        removeKeys(new LinkedHashSet<>(allKeys()), false);
    }

    /**
     * Removes the keys through the writer (as one batch) and the cache. {@code countExpired}: whether expired
     * entries found on the way count as removals ({@code removeAll(keys)} counts them, {@code removeAll()} not).
     */
    private void removeKeys(Set<K> keys, boolean countExpired) {
        long start = statisticsEnabled ? System.nanoTime() : 0;
        CacheException failure = null;
        if (integration.writesThrough() && !keys.isEmpty()) {
            Collection<Object> batch = new ArrayList<>(keys);
            failure = integration.deleteAll(batch);
            if (failure != null) {
                keys.removeAll(batch);
            }
        }
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(keys.size());
        int removals = 0;
        for (K key : keys) {
            boolean counted = atomically(entries.id(key), current -> {
                if (current.live()) {
                    out.add(event(EventType.REMOVED, key, current.value(), current.value()));
                    return current.delete(true);
                }
                current.reportExpired(key, out);
                return current.delete(countExpired && current.exists());
            });
            removals += counted ? 1 : 0;
        }
        dispatch(out);
        int count = removals;
        record(stats -> stats.recordRemovals(count));
        if (count > 0) {
            recordTime(start, TierCacheStatistics::recordRemoveTime);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Every key stored in this cache's namespace, expired ones included. */
    private List<K> allKeys() {
        List<K> keys = new ArrayList<>();
        String after = null;
        while (true) {
            List<SyncItem> page = engine.scanPrefix(entries.namespace(), after, 500);
            for (SyncItem item : page) {
                keys.add(entries.keyOf(item.id(), entries.envelopeOf(item)));
            }
            if (page.size() < 500) {
                return keys;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    @Override
    public void clear() {
        requireOpen();
        clearStorage();
    }

    /** Deletes everything in the namespace: no writer calls, no events, no statistics. */
    void clearStorage() {
        try {
            engine.deletePrefix(entries.namespace()).join();
            entries.forgetAll();
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + name + "': clear failed: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- entry processors

    @Override
    public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        requireOpen();
        requireKey(key);
        Objects.requireNonNull(processor, "entryProcessor must not be null");
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>(2);
        T result = atomically(entries.id(key), current -> process(key, current, processor, arguments, out));
        dispatch(out);
        return result;
    }

    private <T> Mutation<T> process(K key, Current current, EntryProcessor<K, V, T> processor, Object[] arguments,
                                    List<TierCacheEntryEvent<K, V>> out) {
        long start = statisticsEnabled ? System.nanoTime() : 0;
        current.reportExpired(key, out);
        boolean live = current.live();
        record(stats -> {
            if (live) {
                stats.recordHits(1);
            } else {
                stats.recordMisses(1);
            }
        });
        recordTime(start, TierCacheStatistics::recordGetTime);
        TierMutableEntry<K, V> entry = new TierMutableEntry<>(key, live ? current::value : null,
                integration.readsThrough() ? integration::load : null);
        T result;
        try {
            result = processor.process(entry, arguments);
        } catch (CacheException e) {
            throw e;
        } catch (Exception e) {
            throw new EntryProcessorException("the entry processor failed on key " + key + ": " + e, e);
        }
        V value = entry.newValue();
        switch (entry.operation()) {
            case ACCESS:
                return current.touch(entries.accessExpiry(current.now), result);
            case CREATE:
            case LOAD:
                if (entry.operation() == TierMutableEntry.Operation.CREATE) {
                    integration.write(key, value);
                }
                Mutation<T> created = current.create(key, value, entries.prepare(value), out, result, result);
                if (entry.operation() == TierMutableEntry.Operation.CREATE && !out.isEmpty()
                        && out.get(out.size() - 1).getEventType() == EventType.CREATED) {
                    record(stats -> stats.recordPuts(1));
                    recordTime(start, TierCacheStatistics::recordPutTime);
                }
                return created;
            case UPDATE:
                integration.write(key, value);
                record(stats -> stats.recordPuts(1));
                recordTime(start, TierCacheStatistics::recordPutTime);
                return current.update(key, value, entries.prepare(value), out, result);
            case REMOVE:
                integration.delete(key);
                if (live) {
                    out.add(event(EventType.REMOVED, key, current.value(), current.value()));
                    record(stats -> stats.recordRemovals(1));
                    recordTime(start, TierCacheStatistics::recordRemoveTime);
                }
                return current.delete(result);
            default:
                return live ? Mutation.keep(result) : current.delete(result);
        }
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> processor,
                                                         Object... arguments) {
        requireOpen();
        requireKeys(keys);
        Objects.requireNonNull(processor, "entryProcessor must not be null");
        Map<K, EntryProcessorResult<T>> results = new HashMap<>();
        for (K key : keys) {
            try {
                T result = invoke(key, processor, arguments);
                if (result != null) {
                    results.put(key, () -> result);
                }
            } catch (Exception e) {
                EntryProcessorException failure = e instanceof EntryProcessorException processorException
                        ? processorException : new EntryProcessorException(e);
                results.put(key, () -> {
                    throw failure;
                });
            }
        }
        return results;
    }

    // ---------------------------------------------------------------- iteration

    @Override
    public Iterator<Cache.Entry<K, V>> iterator() {
        requireOpen();
        return new EntryIterator<>(this, engine, entries);
    }

    /** Called by the iterator for each entry it hands out: counts the hit and applies the access expiry. */
    void accessedByIterator(KeyId id, long start) {
        record(stats -> stats.recordHits(1));
        recordTime(start, TierCacheStatistics::recordGetTime);
        Long expireAt = entries.accessExpiry(entries.now());
        if (expireAt != null) {
            atomically(id, current -> current.live() ? current.touch(expireAt, null) : Mutation.<Void>keep(null));
        }
    }

    /** Called by the iterator's {@code remove()}: a write-through removal with a REMOVED event. */
    void removeFromIterator(K key, V value) {
        long start = statisticsEnabled ? System.nanoTime() : 0;
        boolean removed = atomically(entries.id(key), current -> {
            integration.delete(key);
            return current.delete(current.live());
        });
        if (removed) {
            dispatch(List.of(event(EventType.REMOVED, key, value, value)));
            record(stats -> stats.recordRemovals(1));
            recordTime(start, TierCacheStatistics::recordRemoveTime);
        }
    }

    boolean statisticsEnabled() {
        return statisticsEnabled;
    }

    // ---------------------------------------------------------------- listeners, configuration, management

    @Override
    public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "cacheEntryListenerConfiguration must not be null");
        synchronized (configuration) {
            configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
            events.register(listenerConfiguration);
        }
    }

    @Override
    public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "cacheEntryListenerConfiguration must not be null");
        synchronized (configuration) {
            configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
            events.deregister(listenerConfiguration);
        }
    }

    @Override
    public <C extends Configuration<K, V>> C getConfiguration(Class<C> type) {
        TierCacheConfiguration<K, V> copy;
        synchronized (configuration) {
            copy = new TierCacheConfiguration<>(configuration);
        }
        if (type.isInstance(copy)) {
            return type.cast(copy);
        }
        throw new IllegalArgumentException("the configuration of cache '" + name + "' is a "
                + TierCacheConfiguration.class.getName() + ", not a " + type.getName());
    }

    void setStatisticsEnabled(boolean enabled) {
        if (enabled) {
            MBeanRegistrar.register(MBeanRegistrar.Kind.STATISTICS, manager.getURI(), name, statistics);
        } else {
            MBeanRegistrar.unregister(MBeanRegistrar.Kind.STATISTICS, manager.getURI(), name);
        }
        statisticsEnabled = enabled;
        synchronized (configuration) {
            configuration.setStatisticsEnabled(enabled);
        }
    }

    void setManagementEnabled(boolean enabled) {
        if (enabled) {
            MBeanRegistrar.register(MBeanRegistrar.Kind.CONFIGURATION, manager.getURI(), name, mxBean);
        } else {
            MBeanRegistrar.unregister(MBeanRegistrar.Kind.CONFIGURATION, manager.getURI(), name);
        }
        synchronized (configuration) {
            configuration.setManagementEnabled(enabled);
        }
    }

    /** The statistics this cache counts while statistics are enabled. */
    public TierCacheStatistics statistics() {
        return statistics;
    }

    private void record(java.util.function.Consumer<TierCacheStatistics> update) {
        if (statisticsEnabled) {
            update.accept(statistics);
        }
    }

    private void recordTime(long start, java.util.function.ObjLongConsumer<TierCacheStatistics> update) {
        if (statisticsEnabled && start != 0) {
            update.accept(statistics, System.nanoTime() - start);
        }
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public CacheManager getCacheManager() {
        return manager;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        manager.release(name, this);
        setStatisticsEnabled(false);
        setManagementEnabled(false);
        loadExecutor.shutdown();
        events.close();
        integration.close(entries.expiryPolicy());
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Unwraps to this cache, its {@link SyncEngine}, or a copy of its configuration
     * ({@link TierCacheConfiguration}, {@link CompleteConfiguration}).
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (type.isInstance(engine)) {
            return type.cast(engine);
        }
        if (Configuration.class.isAssignableFrom(type) && type.isAssignableFrom(TierCacheConfiguration.class)) {
            return type.cast(getConfiguration(CompleteConfiguration.class));
        }
        throw new IllegalArgumentException("cache '" + name + "' cannot be unwrapped to " + type.getName()
                + " (supported: TierCache, SyncEngine, TierCacheConfiguration)");
    }

    // ---------------------------------------------------------------- argument checks

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache '" + name + "' is closed");
        }
    }

    private static void requireKey(Object key) {
        Objects.requireNonNull(key, "key must not be null");
    }

    private static void requireKeys(Set<?> keys) {
        Objects.requireNonNull(keys, "keys must not be null");
        for (Object key : keys) {
            requireKey(key);
        }
    }

    private void requireEntry(K key, V value) {
        requireKey(key);
        Objects.requireNonNull(value, "value must not be null");
        Class<K> keyType = configuration.getKeyType();
        Class<V> valueType = configuration.getValueType();
        if (keyType != Object.class && !keyType.isInstance(key)) {
            throw new ClassCastException("cache '" + name + "' takes keys of type " + keyType.getName() + ", not "
                    + key.getClass().getName());
        }
        if (valueType != Object.class && !valueType.isInstance(value)) {
            throw new ClassCastException("cache '" + name + "' takes values of type " + valueType.getName()
                    + ", not " + value.getClass().getName());
        }
    }

    @Override
    public String toString() {
        return "TierCache{" + name + " in " + manager.getURI() + "}";
    }
}
