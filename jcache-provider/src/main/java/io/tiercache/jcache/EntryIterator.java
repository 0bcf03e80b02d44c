package io.tiercache.jcache;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.jcache.codec.Envelope;

import javax.cache.Cache;
import javax.cache.CacheException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Walks a cache's namespace a page at a time through the engine's prefix scan, in id order. It sees entries written
 * after it started if their ids sort later; expired entries are skipped. {@code remove()} writes through.
 */
final class EntryIterator<K, V> implements Iterator<Cache.Entry<K, V>> {
    private static final int PAGE = 200;

    private final TierCache<K, V> cache;
    private final SyncEngine engine;
    private final StoredEntries<K, V> entries;
    private final Deque<SyncItem> page = new ArrayDeque<>();
    private String after;
    private boolean exhausted;
    private TierCacheEntry<K, V> next;
    private TierCacheEntry<K, V> last;

    EntryIterator(TierCache<K, V> cache, SyncEngine engine, StoredEntries<K, V> entries) {
        this.cache = cache;
        this.engine = engine;
        this.entries = entries;
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            if (page.isEmpty() && !fill()) {
                return false;
            }
            long start = cache.statisticsStart();
            SyncItem item = page.poll();
            Envelope envelope = entries.envelopeOf(item);
            if (envelope.isExpiredAt(entries.now()) || !entries.isAvailable(item.id(), envelope)) {
                continue;
            }
            V value = entries.valueOf(item.id(), envelope);
            if (value == null) {
                continue;
            }
            next = new TierCacheEntry<>(entries.keyOf(item.id(), envelope), value);
            cache.accessedByIterator(entries.id(next.getKey()), start);
        }
        return true;
    }

    private boolean fill() {
        if (exhausted || cache.isClosed()) {
            return false;
        }
        List<SyncItem> items;
        try {
            items = engine.scanPrefix(entries.namespace(), after, PAGE);
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + cache.getName() + "': iteration failed: " + e.getMessage(), e);
        }
        if (items.size() < PAGE) {
            exhausted = true;
        }
        if (items.isEmpty()) {
            return false;
        }
        after = items.get(items.size() - 1).id();
        page.addAll(items);
        return true;
    }

    @Override
    public Cache.Entry<K, V> next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more entries in cache '" + cache.getName() + "'");
        }
        last = next;
        next = null;
        return last;
    }

    @Override
    public void remove() {
        if (last == null) {
            throw new IllegalStateException("remove() needs a preceding next(), and works once per entry");
        }
        TierCacheEntry<K, V> removed = last;
        last = null;
        cache.removeFromIterator(removed.getKey(), removed.getValue());
    }
}
