package io.tiercache.jcache;

import javax.cache.Cache;

/**
 * An entry handed out by a tiercache {@link Cache}'s iterator and in writer calls.
 *
 * <pre>{@code
 * for (Cache.Entry<String, String> entry : cache) {
 *     TierCacheEntry<String, String> tierEntry = entry.unwrap(TierCacheEntry.class);
 * }
 * }</pre>
 */
public final class TierCacheEntry<K, V> implements Cache.Entry<K, V> {
    private final K key;
    private final V value;

    public TierCacheEntry(K key, V value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a tiercache entry cannot be unwrapped to " + clazz.getName());
    }

    @Override
    public String toString() {
        return "TierCacheEntry{" + key + "=" + value + "}";
    }
}
