package io.tiercache.jcache;

import io.tiercache.engine.L1Listener;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.jcache.codec.KeyCodec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One cache's decoded values of L1 hits, keyed by the JCache key, so a repeated {@code get} skips building the id,
 * the L1 lookup (a bounded Caffeine read that records the access) and decoding: one hash lookup, like an unbounded
 * on-heap cache.
 *
 * <p>It never serves what L1 would not: an entry is added only while L1 holds the very item it was decoded from
 * (checked under the entry's map lock, which the listener's removal also takes), and the engine's
 * {@link L1Listener} removes it whenever that L1 entry is replaced or leaves: local writes and deletes, other nodes'
 * changes from the change stream, eviction, expiry, invalidation and clearing. The listener runs after L1 shows
 * the change and before the write returns, so a get that starts after a put returned never sees an older value;
 * while the put is still running, gets may return the old value or the new one, as with any read racing a write.
 *
 * <p>Memory: an entry lives no longer than its L1 entry, and holds a value about the size of the L1 payload it was
 * decoded from; the count is also capped at the most items L1 can hold ({@link #capacity}), so even an entry that
 * raced an eviction cannot make this grow past L1.
 *
 * <p>Only values that can be shared are kept: immutable JDK types, and {@code byte[]}, kept as a private copy and
 * copied again for each caller, as store-by-value requires. Only keys whose id can be turned back into the key
 * without decoding ({@code String}, {@code Long}, {@code Integer}, short enough not to be hashed) are kept, because
 * the listener hears ids.
 */
final class NearCache<K, V> implements L1Listener {
    private static final Set<Class<?>> SHAREABLE = Set.of(String.class, Integer.class, Long.class, Short.class,
            Byte.class, Character.class, Boolean.class, Double.class, Float.class, BigInteger.class,
            BigDecimal.class, UUID.class);
    /** The smallest weight L1 gives an item ({@code SyncItem#estimatedMemoryBytes}'s fixed overhead). */
    private static final long MIN_L1_ITEM_BYTES = 200;

    private final SyncEngine engine;
    private final KeyCodec keys;
    private final String namespace;
    private final long capacity;
    private final ConcurrentHashMap<Object, Entry> values = new ConcurrentHashMap<>();

    /** A decoded value and when it stops being servable (the earlier of the JCache expiry and the item's TTL). */
    private record Entry(Object value, long expireAt) {
    }

    NearCache(SyncEngine engine, KeyCodec keys) {
        this.engine = engine;
        this.keys = keys;
        this.namespace = keys.namespace();
        this.capacity = Math.max(1024, engine.config().l1MaxBytes() / MIN_L1_ITEM_BYTES);
    }

    /** Starts following L1; call {@link #close} when the cache closes. */
    NearCache<K, V> open() {
        engine.addL1Listener(this);
        return this;
    }

    /** The value for {@code key} if it is held and servable at {@code now} (read lazily), else null. */
    @SuppressWarnings("unchecked")
    V get(K key, StoredEntries<K, V> entries) {
        if (!engine.l1Trusted()) {
            // Not following the other nodes' changes now (paused, disconnected): what is held here may be stale.
            return null;
        }
        Entry entry = values.get(key);
        if (entry == null || entry.expireAt != Long.MAX_VALUE && entry.expireAt <= entries.now()) {
            return null;
        }
        Object value = entry.value;
        return (V) (value instanceof byte[] bytes ? bytes.clone() : value);
    }

    /**
     * Remembers {@code value}, decoded from {@code item}, if both can be shared and L1 still holds {@code item}
     * afterwards. {@code value} is the caller's own copy; a mutable one is copied again here.
     */
    void offer(K key, KeyCodec.KeyId id, SyncItem item, V value, long expireAt) {
        if (id.storedKey() != null || !isPlainKey(key) || !isShareable(value)) {
            return;
        }
        if (values.size() >= capacity) {
            values.clear();
        }
        long until = item.hasExpiry() ? Math.min(expireAt, item.expiresAt()) : expireAt;
        Entry entry = new Entry(value instanceof byte[] bytes ? bytes.clone() : value, until);
        try {
            // L1 is checked under the key's lock in this map: a change of the item either shows here, or happened
            // after this check, and then its listener call removes the entry once this lock is released.
            // getCached has no side effects in L1, so no listener can run (and want this lock) inside it.
            values.compute(key, (k, held) -> isCurrent(id, item) ? entry : held);
        } catch (IllegalStateException e) {
            // The engine is shutting down: nothing is worth remembering.
        }
    }

    private boolean isCurrent(KeyCodec.KeyId id, SyncItem item) {
        Optional<SyncItem> current = engine.getCached(id.id());
        return current.isPresent() && current.get() == item;
    }

    void clear() {
        values.clear();
    }

    long size() {
        return values.size();
    }

    void close() {
        engine.removeL1Listener(this);
        values.clear();
    }

    @Override
    public void changed(String id) {
        // No "map is empty" shortcut: an add in progress is not counted yet, and skipping its removal would leave
        // the old value behind for good.
        if (!id.startsWith(namespace)) {
            return;
        }
        Object key = keys.plainKeyOf(id);
        if (key != null) {
            values.remove(key);
        }
    }

    @Override
    public void clearedAll() {
        values.clear();
    }

    private static boolean isPlainKey(Object key) {
        return key instanceof String || key instanceof Long || key instanceof Integer;
    }

    static boolean isShareable(Object value) {
        return value instanceof byte[] || value != null && SHAREABLE.contains(value.getClass());
    }

    @Override
    public String toString() {
        return "NearCache{" + namespace + ", " + values.size() + " values}";
    }
}
