package io.tiercache.jcache;

import io.tiercache.engine.Mutation;
import io.tiercache.engine.SyncItem;
import io.tiercache.jcache.codec.Envelope;
import io.tiercache.jcache.codec.KeyCodec.KeyId;
import io.tiercache.jcache.event.TierCacheEntryEvent;

import javax.cache.event.EventType;
import java.util.List;
import java.util.Optional;

/**
 * One key's stored entry as a {@code SyncEngine.compute} function sees it, with the moves JCache operations are made
 * of: create (creation expiry, CREATED), update (update expiry, UPDATED), touch (access expiry), delete, and noticing
 * that it expired (EXPIRED). Each move returns the engine {@link Mutation} to apply and appends its event to
 * {@code out}; a null {@code out} means nobody listens, and no event (nor the old value it would carry) is built.
 */
final class CurrentEntry<K, V> {
    private final TierCache<K, V> cache;
    private final StoredEntries<K, V> entries;
    private final KeyId id;
    private final Envelope envelope;
    private final long now;
    private V value;
    private boolean writes;

    CurrentEntry(TierCache<K, V> cache, StoredEntries<K, V> entries, KeyId id, Optional<SyncItem> item, long now) {
        this.cache = cache;
        this.entries = entries;
        this.id = id;
        this.envelope = item.map(entries::envelopeOf).orElse(null);
        this.now = now;
    }

    long now() {
        return now;
    }

    boolean exists() {
        return envelope != null;
    }

    /** Stored, not expired, and (for by-reference-only values) still held by this JVM. */
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
        writes = true;
        return entries.write(id, prepared, expireAt, now, result);
    }

    /** Whether the mutation made so far stores a value (a create whose expiry is already over does not). */
    boolean writesValue() {
        return writes;
    }

    /** Applies the access expiry policy: rewrites the expiry time, or keeps the entry as is. */
    <R> Mutation<R> touch(R result) {
        Long expireAt = entries.accessExpiry(now);
        return expireAt == null ? Mutation.keep(result) : touch(expireAt, result);
    }

    <R> Mutation<R> touch(long expireAt, R result) {
        return entries.rewriteExpiry(id.id(), envelope, expireAt, now, result);
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
        if (out != null) {
            out.add(cache.event(EventType.CREATED, key, newValue, null));
        }
        return write(prepared, expireAt, created);
    }

    /** Replaces the value, keeping the current expiry unless the policy gives an update expiry. */
    <R> Mutation<R> update(K key, V newValue, StoredEntries.Prepared prepared, List<TierCacheEntryEvent<K, V>> out,
                           R result) {
        Long expireAt = entries.updateExpiry(now);
        if (out != null) {
            out.add(cache.event(EventType.UPDATED, key, newValue, value()));
        }
        return write(prepared, expireAt == null ? envelope.expireAt() : expireAt, result);
    }

    /** Removes a live entry with a REMOVED event. */
    <R> Mutation<R> remove(K key, List<TierCacheEntryEvent<K, V>> out, R result) {
        if (out != null) {
            out.add(cache.event(EventType.REMOVED, key, value(), value()));
        }
        return delete(result);
    }

    /** Reports an entry found expired; the caller decides what replaces it. */
    void reportExpired(K key, List<TierCacheEntryEvent<K, V>> out) {
        if (out != null && expired()) {
            out.add(cache.event(EventType.EXPIRED, key, value(), value()));
        }
    }
}
