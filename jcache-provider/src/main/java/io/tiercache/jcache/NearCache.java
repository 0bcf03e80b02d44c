package io.tiercache.jcache;

import io.tiercache.engine.L1Listener;
import io.tiercache.engine.L1Ref;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.jcache.codec.KeyCodec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One cache's L1 entries ({@link L1Ref}) keyed by the JCache key, so a repeated {@code get} skips building the id,
 * the L1 lookup (a bounded Caffeine read that records the access) and decoding, and a {@code put} skips building the
 * id and every engine map lookup: one hash lookup, like an unbounded on-heap cache.
 *
 * <p>It never serves what L1 would not: a decoded value is attached to the very L1 item it was decoded from
 * ({@link L1Ref#attach}), and the engine stops serving it the moment L1's entry holds anything else (local writes
 * and deletes, other nodes' changes from the change stream). An entry that leaves L1 (eviction, expiry,
 * invalidation, clearing) is dead, and its {@link L1Listener#left} call removes it here. So a get that starts after
 * a put returned never sees an older value; while the put is still running, gets may return the old value or the
 * new one, as with any read racing a write.
 *
 * <p>Memory: a key is held only while its L1 entry lives, with the value about the size of the L1 payload it was
 * decoded from; the count is also capped at the most items L1 can hold ({@link #capacity}), so even an entry that
 * raced an eviction cannot make this grow past L1.
 *
 * <p>Only values that can be shared are attached: immutable JDK types, and {@code byte[]}, kept as a private copy and
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
    private final ConcurrentHashMap<Object, L1Ref> refs = new ConcurrentHashMap<>();

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

    /** The value for {@code key} if one is attached to L1's current item and servable by {@code clock}; else null. */
    @SuppressWarnings("unchecked")
    V get(K key, TimeSource clock) {
        if (!engine.l1Trusted()) {
            // Not following the other nodes' changes now (paused, disconnected): what is held here may be stale.
            return null;
        }
        L1Ref ref = refs.get(key);
        Object value = ref == null ? null : ref.attached(this, clock);
        return (V) (value instanceof byte[] bytes ? bytes.clone() : value);
    }

    /** L1's entry for {@code key} if it is held here and still in L1; else null (the caller goes by the id). */
    L1Ref ref(K key) {
        L1Ref ref = refs.get(key);
        return ref != null && ref.live() ? ref : null;
    }

    /** Holds L1's entry for {@code id} under {@code key}, if L1 has one and the key can be held. */
    L1Ref track(K key, KeyCodec.KeyId id) {
        if (id.storedKey() != null || !isPlainKey(key)) {
            return null;
        }
        L1Ref ref;
        try {
            ref = engine.l1Ref(id.id());
        } catch (IllegalStateException e) {
            return null; // the engine is shutting down: nothing is worth remembering
        }
        if (ref == null) {
            return null;
        }
        if (refs.size() >= capacity) {
            refs.clear();
        }
        refs.put(key, ref);
        // Left L1 meanwhile: its listener call may have run before the put above, so take it out again here.
        if (!ref.live()) {
            refs.remove(key, ref);
            return null;
        }
        return ref;
    }

    /**
     * Attaches {@code value}, decoded from {@code item}, to L1's entry if both can be shared and L1 still holds
     * {@code item}. {@code value} is the caller's own copy; a mutable one is copied again here.
     */
    void offer(K key, KeyCodec.KeyId id, SyncItem item, V value, long expireAt) {
        if (!isShareable(value)) {
            return;
        }
        L1Ref ref = ref(key);
        if (ref == null && (ref = track(key, id)) == null) {
            return;
        }
        long until = item.hasExpiry() ? Math.min(expireAt, item.expiresAt()) : expireAt;
        ref.attach(this, item, value instanceof byte[] bytes ? bytes.clone() : value, until);
    }

    /**
     * Attaches {@code value} to the item a put just stored through {@code ref}, so the gets after it need no
     * decoding; {@code value} is the caller's, so a mutable one is copied.
     */
    void wrote(L1Ref ref, SyncItem item, Object value) {
        if (isShareable(value)) {
            ref.attach(this, item, value instanceof byte[] bytes ? bytes.clone() : value,
                    item.hasExpiry() ? item.expiresAt() : Long.MAX_VALUE);
        }
    }

    void clear() {
        refs.clear();
    }

    /** How many held entries have a value attached that {@code clock} says is servable (tests). */
    long size(TimeSource clock) {
        return refs.values().stream().filter(ref -> ref.attached(this, clock) != null).count();
    }

    void close() {
        engine.removeL1Listener(this);
        refs.clear();
    }

    @Override
    public void left(String id) {
        // No "map is empty" shortcut: a track in progress is not counted yet, and skipping its removal would leave
        // the dead entry behind.
        if (!id.startsWith(namespace)) {
            return;
        }
        Object key = keys.plainKeyOf(id);
        if (key != null) {
            // Only a dead entry: the id may be back in L1, and tracked again, by the time this runs.
            refs.computeIfPresent(key, (k, ref) -> ref.live() ? ref : null);
        }
    }

    @Override
    public void clearedAll() {
        refs.clear();
    }

    private static boolean isPlainKey(Object key) {
        return key instanceof String || key instanceof Long || key instanceof Integer;
    }

    static boolean isShareable(Object value) {
        return value instanceof byte[] || value != null && SHAREABLE.contains(value.getClass());
    }

    @Override
    public String toString() {
        return "NearCache{" + namespace + ", " + refs.size() + " entries}";
    }
}
