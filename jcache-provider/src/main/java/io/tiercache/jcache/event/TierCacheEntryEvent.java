package io.tiercache.jcache.event;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;

/**
 * One change to one entry, as listeners see it.
 *
 * <pre>{@code
 * new TierCacheEntryEvent<>(cache, EventType.UPDATED, "k", "new", "old", true).getOldValue(); // "old"
 * }</pre>
 */
public final class TierCacheEntryEvent<K, V> extends CacheEntryEvent<K, V> {
    private static final long serialVersionUID = 1L;

    private final K key;
    private final V value;
    private final V oldValue;
    private final boolean oldValueAvailable;

    public TierCacheEntryEvent(Cache<K, V> source, EventType type, K key, V value, V oldValue,
                               boolean oldValueAvailable) {
        super(source, type);
        this.key = key;
        this.value = value;
        this.oldValue = oldValue;
        this.oldValueAvailable = oldValueAvailable;
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
    public V getOldValue() {
        return oldValueAvailable ? oldValue : null;
    }

    @Override
    public boolean isOldValueAvailable() {
        return oldValueAvailable;
    }

    /**
     * The event a listener that did not ask for old values receives: REMOVED and EXPIRED events then carry no values
     * at all, CREATED and UPDATED only the new one.
     */
    TierCacheEntryEvent<K, V> withoutOldValue() {
        @SuppressWarnings("unchecked")
        Cache<K, V> cache = (Cache<K, V>) getSource();
        boolean valueless = getEventType() == EventType.REMOVED || getEventType() == EventType.EXPIRED;
        return new TierCacheEntryEvent<>(cache, getEventType(), key, valueless ? null : value, null, false);
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a cache entry event cannot be unwrapped to " + clazz.getName());
    }

    @Override
    public String toString() {
        return "TierCacheEntryEvent{" + getEventType() + " " + key + "}";
    }
}
