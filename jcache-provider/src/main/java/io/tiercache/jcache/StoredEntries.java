package io.tiercache.jcache;

import io.tiercache.engine.Mutation;
import io.tiercache.engine.PayloadEncoder;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.jcache.codec.CodecException;
import io.tiercache.jcache.codec.Envelope;
import io.tiercache.jcache.codec.KeyCodec;
import io.tiercache.jcache.codec.ValueCodec;

import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How one cache's entries become engine items: key ids, value envelopes with the provider's own expiry time, the
 * expiry policy's answers, and for store-by-reference caches the table of live instances.
 *
 * <p>A store-by-reference cache still writes the value's bytes when it can (so L3 holds a real copy) and remembers
 * the instance under the write's stamp; a read returns that instance while the stored stamp matches, and decodes a
 * copy when another writer or a restart replaced it. A value that cannot be encoded is kept only in the table.
 */
final class StoredEntries<K, V> {
    /**
     * Expired entries stay in the tiers this long, so a later access still finds them and reports EXPIRED; after it
     * the engine reclaims them unseen (JCache promises no EXPIRED event for entries nobody touches).
     */
    private static final long EXPIRY_GRACE_MS = 3_600_000;
    private static final byte[] NO_BYTES = new byte[0];

    private final KeyCodec keys;
    private final ValueCodec values;
    private final boolean byValue;
    private final ExpiryPolicy expiry;
    private final TimeSource clock;
    private final SubmitOptions options;
    private final java.time.Duration storageTtl;
    private final Map<String, Reference> references = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final AtomicLong stamps = new AtomicLong(System.nanoTime());

    /**
     * A by-reference instance, softly held: the engine may evict the entry's bytes under its memory budget, and the
     * instance must not outlive that budget either. A collected instance reads as a decoded copy, or as absent when
     * it had no bytes (the same as an eviction).
     */
    private static final class Reference extends SoftReference<Object> {
        final String id;
        final long stamp;

        Reference(String id, long stamp, Object value, ReferenceQueue<Object> queue) {
            super(value, queue);
            this.id = id;
            this.stamp = stamp;
        }
    }

    /** A value ready to store: its bytes, or for an unencodable by-reference value, only the instance. */
    record Prepared(Object value, byte[] bytes) {
    }

    StoredEntries(KeyCodec keys, ValueCodec values, boolean byValue, ExpiryPolicy expiry, TimeSource clock,
                  SubmitOptions options, java.time.Duration storageTtl) {
        this.keys = keys;
        this.values = values;
        this.byValue = byValue;
        this.expiry = expiry;
        this.clock = clock;
        this.options = options;
        this.storageTtl = storageTtl;
    }

    String namespace() {
        return keys.namespace();
    }

    KeyCodec keys() {
        return keys;
    }

    KeyCodec.KeyId id(Object key) {
        return keys.idOf(key);
    }

    @SuppressWarnings("unchecked")
    K keyOf(String id, Envelope envelope) {
        return (K) keys.keyOf(id, envelope.storedKey());
    }

    /** The key of an id that needs no envelope to be named (not a hashed one); null when it does. */
    @SuppressWarnings("unchecked")
    K keyOfReadableId(String id) {
        try {
            return (K) keys.keyOf(id, null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    long now() {
        return clock.currentTimeMillis();
    }

    /** The clock entries expire by. */
    TimeSource clock() {
        return clock;
    }

    ExpiryPolicy expiryPolicy() {
        return expiry;
    }

    Envelope envelopeOf(SyncItem item) {
        return Envelope.decode(item.id(), item.payload());
    }

    /** Whether the stored value can be served: a by-reference-only value is lost once its instance is forgotten. */
    boolean isAvailable(String id, Envelope envelope) {
        if (!envelope.localReference()) {
            return true;
        }
        Reference reference = references.get(id);
        return reference != null && reference.stamp == envelope.stamp() && reference.get() != null;
    }

    @SuppressWarnings("unchecked")
    V valueOf(String id, Envelope envelope) {
        if (!byValue) {
            Reference reference = references.get(id);
            Object instance = reference == null || reference.stamp != envelope.stamp() ? null : reference.get();
            if (instance != null) {
                return (V) instance;
            }
        }
        return envelope.localReference() ? null : (V) values.decode(envelope.value());
    }

    Prepared prepare(Object value) {
        if (byValue) {
            return new Prepared(value, values.encode(value));
        }
        try {
            return new Prepared(value, values.encode(value));
        } catch (CodecException e) {
            return new Prepared(value, null);
        }
    }

    /** Stores {@code prepared} under {@code id} expiring at {@code expireAt}. */
    <R> Mutation<R> write(KeyCodec.KeyId id, Prepared prepared, long expireAt, long now, R result) {
        // Only by-reference entries need a stamp; stamp 0 lets eternal by-value entries be stored bare.
        long stamp = byValue ? 0 : stamps.incrementAndGet();
        boolean local = prepared.bytes() == null;
        Envelope envelope = new Envelope(expireAt, stamp, id.storedKey(), local ? NO_BYTES : prepared.bytes(), local);
        if (!byValue) {
            purgeCollected();
            references.put(id.id(), new Reference(id.id(), stamp, prepared.value(), collected));
        }
        return Mutation.put(envelope.encode(), optionsFor(expireAt, now), result);
    }

    /**
     * Whether a put may overwrite without reading the current entry: a store-by-value cache under the eternal policy
     * stores the same eternal entry whether or not one existed (creation answers eternal, update keeps the current
     * expiry, which such a cache only ever gives eternal entries).
     */
    boolean putsIgnoreCurrent() {
        return byValue && expiry.getClass() == EternalExpiryPolicy.class;
    }

    /**
     * Whether a {@code get} that finds a live entry leaves it exactly as it is, so its decoded value may be served
     * again without asking the engine: a store-by-value cache whose expiry policy answers null for access (the
     * eternal, created and modified policies; any other policy is asked on every access, and its answer may change).
     */
    boolean getsNeverChangeEntries() {
        Class<?> policy = expiry.getClass();
        return byValue && (policy == EternalExpiryPolicy.class || policy == CreatedExpiryPolicy.class
                || policy == ModifiedExpiryPolicy.class);
    }

    /** The payload {@link #write} stores for an eternal store-by-value entry. */
    byte[] eternalPayload(byte[] storedKey, Prepared prepared) {
        return new Envelope(Envelope.ETERNAL, 0, storedKey, prepared.bytes(), false).encode();
    }

    /**
     * Encodes values as {@link #eternalPayload} does without a stored key, when the engine needs their bytes; L1
     * serves the values themselves to {@code owner} meanwhile. For the values {@link #defersEncoding} accepts.
     */
    PayloadEncoder eternalEncoder(Object owner) {
        return new EternalEncoder(owner);
    }

    /** Whether {@code value} may be encoded later, on another thread ({@link ValueCodec#maxDeferredSize}). */
    boolean defersEncoding(Object value) {
        return byValue && values.maxDeferredSize(value) >= 0;
    }

    private final class EternalEncoder implements PayloadEncoder {
        private final Object owner;

        EternalEncoder(Object owner) {
            this.owner = owner;
        }

        @Override
        public Object owner() {
            return owner;
        }

        @Override
        public byte[] encode(Object value) {
            return eternalPayload(null, new Prepared(value, values.encode(value)));
        }

        @Override
        public int maxEncodedSize(Object value) {
            return Envelope.maxEncodedSize(values.maxDeferredSize(value));
        }

        @Override
        public int estimatedSize(Object value) {
            return values.estimatedDeferredSize(value);
        }
    }

    /** The submit options {@link #write} uses for an eternal entry. */
    SubmitOptions eternalOptions() {
        return optionsFor(Envelope.ETERNAL, 0);
    }

    /** Keeps the stored value and changes only when it expires. */
    <R> Mutation<R> rewriteExpiry(String id, Envelope current, long expireAt, long now, R result) {
        return Mutation.put(current.withExpireAt(expireAt).encode(), optionsFor(expireAt, now), result);
    }

    <R> Mutation<R> delete(String id, R result) {
        references.remove(id);
        keys.forgetReference(id);
        return Mutation.delete(result);
    }

    private void purgeCollected() {
        for (Object gone = collected.poll(); gone != null; gone = collected.poll()) {
            Reference reference = (Reference) gone;
            references.remove(reference.id, reference);
        }
    }

    void forgetAll() {
        references.clear();
        keys.forgetReferences();
    }

    private SubmitOptions optionsFor(long expireAt, long now) {
        long ttl = storageTtl == null ? Long.MAX_VALUE : storageTtl.toMillis();
        if (expireAt != Envelope.ETERNAL) {
            ttl = Math.min(ttl, Math.max(1, expireAt - now) + EXPIRY_GRACE_MS);
        }
        return ttl == Long.MAX_VALUE ? options : options.withTtl(java.time.Duration.ofMillis(ttl));
    }

    // ---------------------------------------------------------------- expiry policy

    /** When a new entry expires; a policy that fails or answers null makes it eternal. */
    long creationExpiry(long now) {
        Duration duration;
        try {
            duration = expiry.getExpiryForCreation();
        } catch (RuntimeException e) {
            // The spec leaves a failing policy's effect open; like the RI, treat it as "no change".
            return Envelope.ETERNAL;
        }
        return duration == null ? Envelope.ETERNAL : expireAtAfter(duration, now);
    }

    /** When an updated entry expires, or null to keep its current expiry. */
    Long updateExpiry(long now) {
        Duration duration;
        try {
            duration = expiry.getExpiryForUpdate();
        } catch (RuntimeException e) {
            return null;
        }
        return duration == null ? null : expireAtAfter(duration, now);
    }

    /** When an accessed entry expires, or null to keep its current expiry. */
    Long accessExpiry(long now) {
        Duration duration;
        try {
            duration = expiry.getExpiryForAccess();
        } catch (RuntimeException e) {
            return null;
        }
        return duration == null ? null : expireAtAfter(duration, now);
    }

    private static long expireAtAfter(Duration duration, long now) {
        if (duration.isEternal()) {
            return Envelope.ETERNAL;
        }
        long millis = duration.getTimeUnit().toMillis(duration.getDurationAmount());
        return millis >= Envelope.ETERNAL - now ? Envelope.ETERNAL : now + millis;
    }
}
