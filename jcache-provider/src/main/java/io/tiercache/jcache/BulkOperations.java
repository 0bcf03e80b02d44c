package io.tiercache.jcache;

import io.tiercache.engine.Mutation;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.jcache.event.TierCacheEntryEvent;
import io.tiercache.jcache.management.StatisticsRecorder;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.integration.CompletionListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * A cache's many-key operations. Each key is still changed atomically on its own; the writer sees one batch, and
 * listeners get the events of the whole call after it has been applied.
 */
final class BulkOperations<K, V> {
    private static final int PAGE = 500;

    private final TierCache<K, V> cache;
    private final SyncEngine engine;
    private final StoredEntries<K, V> entries;
    private final Integration<K, V> integration;
    private final StatisticsRecorder stats;
    private final ExecutorService loadExecutor;

    BulkOperations(TierCache<K, V> cache, SyncEngine engine, StoredEntries<K, V> entries,
                   Integration<K, V> integration, StatisticsRecorder stats, ExecutorService loadExecutor) {
        this.cache = cache;
        this.engine = engine;
        this.entries = entries;
        this.integration = integration;
        this.stats = stats;
        this.loadExecutor = loadExecutor;
    }

    Map<K, V> getAll(Set<? extends K> keys) {
        Map<K, V> found = new HashMap<>(keys.size());
        List<TierCacheEntryEvent<K, V>> out = new ArrayList<>();
        for (K key : keys) {
            V value = cache.getValue(key, out);
            if (value != null) {
                found.put(key, value);
            }
        }
        cache.dispatch(out);
        return found;
    }

    /** Runs on the load executor; reports to {@code listener} when done or failed. */
    void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener listener) {
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
                    if (replaceExistingValues || !cache.containsKey(key)) {
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

    /**
     * Stores the entries. With {@code writeThrough} the writer gets them first as one batch, and only what it wrote
     * is stored; loadAll passes false (loaded values are not written back, and do not count as puts).
     */
    void putAll(Map<? extends K, ? extends V> map, boolean replaceExisting, boolean writeThrough) {
        long start = stats.start();
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
            boolean stored = cache.atomically(key, out, current -> {
                if (current.live()) {
                    return replaceExisting ? current.update(key, value, prepared, out, true) : Mutation.keep(false);
                }
                current.reportExpired(key, out);
                return current.create(key, value, prepared, out, true, false);
            });
            puts += stored ? 1 : 0;
        }
        cache.dispatch(out);
        if (writeThrough && puts > 0) {
            stats.puts(puts);
            stats.putTime(start);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Removes the keys through the writer (one batch) and the cache. {@code countExpired}: whether expired entries
     * found on the way count as removals ({@code removeAll(keys)} counts them, {@code removeAll()} does not).
     */
    void removeAll(Set<K> keys, boolean countExpired) {
        long start = stats.start();
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
            boolean counted = cache.atomically(key, out, current -> {
                if (current.live()) {
                    return current.remove(key, out, true);
                }
                current.reportExpired(key, out);
                return current.delete(countExpired && current.exists());
            });
            removals += counted ? 1 : 0;
        }
        cache.dispatch(out);
        stats.removals(removals);
        if (removals > 0) {
            stats.removeTime(start);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Every key stored in the cache's namespace, expired ones included. */
    Set<K> allKeys() {
        Set<K> keys = new LinkedHashSet<>();
        String after = null;
        while (true) {
            List<SyncItem> page = engine.scanPrefix(entries.namespace(), after, PAGE);
            for (SyncItem item : page) {
                keys.add(entries.keyOf(item.id(), entries.envelopeOf(item)));
            }
            if (page.size() < PAGE) {
                return keys;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    /** Deletes everything in the namespace: no writer calls, no events, no statistics. */
    void clear() {
        engine.deletePrefix(entries.namespace()).join();
        entries.forgetAll();
    }
}
