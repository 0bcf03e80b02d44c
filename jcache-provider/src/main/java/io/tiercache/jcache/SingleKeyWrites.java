package io.tiercache.jcache;

import io.tiercache.engine.Mutation;
import io.tiercache.jcache.management.StatisticsRecorder;

import java.util.Objects;

/**
 * A cache's single-key writes, each one atomic step on the engine: the writer is called, the expiry policy asked and
 * the event recorded inside the key's compute, so a failing writer leaves the cache unchanged. Statistics follow
 * the JCache rules (a conditional write that finds an entry is a hit, a put is counted only if something is stored).
 * Arguments are checked by {@link TierCache} before they get here.
 */
final class SingleKeyWrites<K, V> {
    private final TierCache<K, V> cache;
    private final StoredEntries<K, V> entries;
    private final Integration<K, V> integration;
    private final StatisticsRecorder stats;

    SingleKeyWrites(TierCache<K, V> cache, StoredEntries<K, V> entries, Integration<K, V> integration,
                    StatisticsRecorder stats) {
        this.cache = cache;
        this.entries = entries;
        this.integration = integration;
        this.stats = stats;
    }

    void put(K key, V value) {
        long start = stats.start();
        if (entries.putsIgnoreCurrent() && !integration.writesThrough() && !cache.hasListeners()) {
            // Nothing here needs the current entry (no event, no writer, same eternal result): skip reading it.
            cache.overwrite(key, value);
            stats.put(start);
            return;
        }
        StoredEntries.Prepared prepared = entries.prepare(value);
        boolean stored = cache.atomicallyWithEvents(key, (current, out) -> {
            if (current.live()) {
                integration.write(key, value);
                return current.update(key, value, prepared, out, true);
            }
            current.reportExpired(key, out);
            integration.write(key, value);
            return current.create(key, value, prepared, out, true, false);
        });
        if (stored) {
            stats.put(start);
        }
    }

    V getAndPut(K key, V value) {
        long start = stats.start();
        StoredEntries.Prepared prepared = entries.prepare(value);
        boolean[] stored = new boolean[1];
        V old = cache.atomicallyWithEvents(key, (current, out) -> {
            integration.write(key, value);
            Mutation<V> mutation;
            if (current.live()) {
                mutation = current.update(key, value, prepared, out, current.value());
            } else {
                current.reportExpired(key, out);
                mutation = current.create(key, value, prepared, out, null, null);
            }
            stored[0] = current.writesValue();
            return mutation;
        });
        stats.lookup(old != null);
        stats.getTime(start);
        if (stored[0]) {
            stats.put(start);
        }
        return old;
    }

    boolean putIfAbsent(K key, V value) {
        long start = stats.start();
        StoredEntries.Prepared prepared = entries.prepare(value);
        boolean stored = cache.atomicallyWithEvents(key, (current, out) -> {
            if (current.live()) {
                return Mutation.keep(false);
            }
            current.reportExpired(key, out);
            integration.write(key, value);
            return current.create(key, value, prepared, out, true, false);
        });
        stats.lookup(!stored);
        if (stored) {
            stats.put(start);
        }
        return stored;
    }

    boolean remove(K key) {
        long start = stats.start();
        boolean removed = cache.atomicallyWithEvents(key, (current, out) -> {
            integration.delete(key);
            return current.live() ? current.remove(key, out, true) : current.delete(false);
        });
        if (removed) {
            stats.removal(start);
        }
        return removed;
    }

    boolean remove(K key, V oldValue) {
        long start = stats.start();
        boolean[] hit = new boolean[1];
        boolean removed = cache.atomicallyWithEvents(key, (current, out) -> {
            if (!current.live()) {
                return Mutation.keep(false);
            }
            hit[0] = true;
            if (!Objects.deepEquals(current.value(), oldValue)) {
                return current.touch(false);
            }
            integration.delete(key);
            return current.remove(key, out, true);
        });
        stats.lookup(hit[0]);
        stats.getTime(start);
        if (removed) {
            stats.removal(start);
        }
        return removed;
    }

    V getAndRemove(K key) {
        long start = stats.start();
        V old = cache.atomicallyWithEvents(key, (current, out) -> {
            integration.delete(key);
            return current.live() ? current.remove(key, out, current.value()) : current.delete(null);
        });
        stats.lookup(old != null);
        stats.getTime(start);
        if (old != null) {
            stats.removal(start);
        }
        return old;
    }

    boolean replace(K key, V oldValue, V newValue) {
        long start = stats.start();
        StoredEntries.Prepared prepared = entries.prepare(newValue);
        boolean[] hit = new boolean[1];
        boolean replaced = cache.atomicallyWithEvents(key, (current, out) -> {
            if (!current.live()) {
                return Mutation.keep(false);
            }
            hit[0] = true;
            if (!Objects.deepEquals(current.value(), oldValue)) {
                return current.touch(false);
            }
            integration.write(key, newValue);
            return current.update(key, newValue, prepared, out, true);
        });
        stats.lookup(hit[0]);
        stats.getTime(start);
        if (replaced) {
            stats.put(start);
        }
        return replaced;
    }

    V getAndReplace(K key, V value) {
        long start = stats.start();
        StoredEntries.Prepared prepared = entries.prepare(value);
        V old = cache.atomicallyWithEvents(key, (current, out) -> {
            if (!current.live()) {
                return Mutation.keep(null);
            }
            integration.write(key, value);
            return current.update(key, value, prepared, out, current.value());
        });
        stats.lookup(old != null);
        stats.getTime(start);
        if (old != null) {
            stats.put(start);
        }
        return old;
    }
}
