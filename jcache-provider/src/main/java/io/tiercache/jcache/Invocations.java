package io.tiercache.jcache;

import io.tiercache.engine.Mutation;
import io.tiercache.jcache.event.TierCacheEntryEvent;
import io.tiercache.jcache.management.StatisticsRecorder;

import javax.cache.CacheException;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Entry processors: each runs inside the key's engine compute, so what it reads and what it writes form one atomic
 * step; the cache applies the processor's net effect (nothing, an access, a create, a load, an update or a remove).
 */
final class Invocations<K, V> {
    private final TierCache<K, V> cache;
    private final StoredEntries<K, V> entries;
    private final Integration<K, V> integration;
    private final StatisticsRecorder stats;

    Invocations(TierCache<K, V> cache, StoredEntries<K, V> entries, Integration<K, V> integration,
                StatisticsRecorder stats) {
        this.cache = cache;
        this.entries = entries;
        this.integration = integration;
        this.stats = stats;
    }

    <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        return cache.atomicallyWithEvents(key, (current, out) -> process(key, current, processor, arguments, out));
    }

    <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> processor,
                                                  Object... arguments) {
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

    private <T> Mutation<T> process(K key, CurrentEntry<K, V> current, EntryProcessor<K, V, T> processor,
                                    Object[] arguments, List<TierCacheEntryEvent<K, V>> out) {
        long start = stats.start();
        current.reportExpired(key, out);
        boolean live = current.live();
        stats.lookup(live);
        stats.getTime(start);
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
                return current.touch(result);
            case CREATE:
            case LOAD:
                boolean explicit = entry.operation() == TierMutableEntry.Operation.CREATE;
                if (explicit) {
                    integration.write(key, value);
                }
                Mutation<T> created = current.create(key, value, entries.prepare(value), out, result, result);
                if (explicit && current.writesValue()) {
                    stats.put(start);
                }
                return created;
            case UPDATE:
                integration.write(key, value);
                stats.put(start);
                return current.update(key, value, entries.prepare(value), out, result);
            case REMOVE:
                integration.delete(key);
                if (!live) {
                    return current.delete(result);
                }
                stats.removal(start);
                return current.remove(key, out, result);
            default:
                return live ? Mutation.keep(result) : current.delete(result);
        }
    }
}
