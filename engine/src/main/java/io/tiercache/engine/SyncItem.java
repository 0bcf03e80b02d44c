package io.tiercache.engine;

import io.tiercache.engine.internal.ContentHash;
import io.tiercache.engine.internal.JsonDetector;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One stored item, the unit every tier holds: an id, opaque payload bytes and the metadata that lets tiers agree on
 * which copy is newest (version) and whether a copy is intact (content hash).
 *
 * <p>Items are immutable. The engine creates them on submit; tiers rebuild them from stored columns with
 * {@link #restore}, and {@link #isIntact()} tells whether the stored hash still matches the stored bytes.
 *
 * <pre>{@code
 * SyncItem item = SyncItem.create("users/42", "{\"name\":\"Ada\"}".getBytes(UTF_8), 1L, SyncItem.DEFAULT_STATE, 0L, 0L);
 * assert item.contentType() == ContentType.JSON;
 * assert item.contentAsJson().orElseThrow().equals("{\"name\":\"Ada\"}");
 * }</pre>
 */
public final class SyncItem {
    /** The state an item has unless a caller tags it otherwise. */
    public static final String DEFAULT_STATE = "default";
    /** {@link #expiresAt()} of an item that never expires. */
    public static final long NO_EXPIRY = 0L;
    public static final int MAX_STATE_LENGTH = 128;

    private final String id;
    /**
     * The bytes; null until first use for an item submitted with a {@link PayloadEncoder}, then its encoding (a
     * thread may encode twice, and both get equal bytes; volatile so that no thread sees the array before its
     * contents).
     */
    private volatile byte[] payload;
    /** For an item submitted with a {@link PayloadEncoder}: the value the payload encodes, and how; else null. */
    private final Object unencoded;
    private final PayloadEncoder encoder;
    /**
     * Content type and hash of an item made by {@link #create} are worked out on first use (the L1 path never needs
     * them, the flusher does, off the writer's thread) and kept. The fields are racy caches of pure functions of the
     * payload, which never changes once encoded: a thread may compute one twice, never see a wrong one (String and
     * enum publish safely).
     */
    private ContentType contentType;
    private String contentHash;
    /** Made here from its own payload, which never changes: its hash matches by construction. */
    private final boolean hashedFromPayload;
    private final long version;
    private final String state;
    private final long expiresAt;
    private final long updatedAt;
    /** Worked out once: the id's length is read where the id is at hand, not on every weighing. */
    private final int estimatedMemoryBytes;

    private SyncItem(String id, byte[] payload, ContentType contentType, String contentHash, boolean hashedFromPayload,
                     long version, String state, long expiresAt, long updatedAt) {
        this(id, id.length(), payload, null, null, contentType, contentHash, hashedFromPayload, version, state,
                expiresAt, updatedAt);
    }

    private SyncItem(String id, int idChars, byte[] payload, Object unencoded, PayloadEncoder encoder,
                     ContentType contentType, String contentHash, boolean hashedFromPayload, long version,
                     String state, long expiresAt, long updatedAt) {
        this.estimatedMemoryBytes = (payload != null ? payload.length : encoder.estimatedSize(unencoded))
                + 2 * idChars + 2 * state.length() + 200;
        this.id = id;
        this.payload = payload;
        this.unencoded = unencoded;
        this.encoder = encoder;
        this.contentType = contentType;
        this.contentHash = contentHash;
        this.hashedFromPayload = hashedFromPayload;
        this.version = version;
        this.state = state;
        this.expiresAt = expiresAt;
        this.updatedAt = updatedAt;
    }

    /**
     * A new item: the payload is copied; its content type and SHA-256 are computed on first use.
     *
     * @param expiresAt epoch millis after which the item is gone, or {@link #NO_EXPIRY}
     */
    public static SyncItem create(String id, byte[] payload, long version, String state, long expiresAt,
                                  long updatedAt) {
        ItemIds.requireValid(id);
        Objects.requireNonNull(payload, "payload must not be null");
        byte[] copy = payload.clone();
        return new SyncItem(id, copy, null, null, true, version, requireValidState(state),
                requireValidExpiry(expiresAt), updatedAt);
    }

    /**
     * {@link #create} for the engine, of an id it checked ({@code idChars} long) and a payload it owns (taken over,
     * not copied).
     */
    static SyncItem owning(String id, int idChars, byte[] payload, long version, String state, long expiresAt,
                           long updatedAt) {
        return new SyncItem(id, idChars, payload, null, null, null, null, true, version, requireValidState(state),
                requireValidExpiry(expiresAt), updatedAt);
    }

    /** {@link #owning} of a payload that {@code encoder} makes from {@code value} on first use. */
    static SyncItem deferring(String id, int idChars, Object value, PayloadEncoder encoder, long version,
                              String state, long expiresAt, long updatedAt) {
        return new SyncItem(id, idChars, null, value, encoder, null, null, true, version, requireValidState(state),
                requireValidExpiry(expiresAt), updatedAt);
    }

    /**
     * Rebuilds an item from what a tier stored, trusting nothing but the id rules: the caller checks
     * {@link #isIntact()} before serving it. The array is taken over, not copied.
     */
    public static SyncItem restore(String id, byte[] payload, ContentType contentType, String contentHash,
                                   long version, String state, long expiresAt, long updatedAt) {
        ItemIds.requireValid(id);
        Objects.requireNonNull(payload, "payload must not be null");
        Objects.requireNonNull(contentType, "contentType must not be null");
        Objects.requireNonNull(contentHash, "contentHash must not be null");
        return new SyncItem(id, payload, contentType, contentHash, false, version, requireValidState(state),
                requireValidExpiry(expiresAt), updatedAt);
    }

    /** The same payload under a new version, state and expiry (the hash and type carry over). */
    public SyncItem withMetadata(long newVersion, String newState, long newExpiresAt, long newUpdatedAt) {
        return new SyncItem(id, id.length(), payload, unencoded, encoder, contentType, contentHash,
                hashedFromPayload, newVersion, requireValidState(newState), requireValidExpiry(newExpiresAt),
                newUpdatedAt);
    }

    public static String requireValidState(String state) {
        if (state == DEFAULT_STATE) {
            return state; // the constant every default write carries is valid; skip the per-character scan
        }
        if (state == null || state.isEmpty()) {
            throw new IllegalArgumentException("state must not be null or empty");
        }
        if (state.length() > MAX_STATE_LENGTH) {
            throw new IllegalArgumentException("state is " + state.length() + " characters, over the limit of "
                    + MAX_STATE_LENGTH);
        }
        for (int i = 0; i < state.length(); i++) {
            if (Character.isISOControl(state.charAt(i))) {
                throw new IllegalArgumentException("state contains a control character at index " + i);
            }
        }
        return state;
    }

    private static long requireValidExpiry(long expiresAt) {
        if (expiresAt < 0) {
            throw new IllegalArgumentException("expiresAt must be epoch millis >= 0 (0 = never), got " + expiresAt);
        }
        return expiresAt;
    }

    public String id() {
        return id;
    }

    /** A copy of the payload bytes. */
    public byte[] payload() {
        return bytes().clone();
    }

    /** The payload without copying, read-only. */
    public ByteBuffer payloadView() {
        return ByteBuffer.wrap(bytes()).asReadOnlyBuffer();
    }

    public int payloadSize() {
        return bytes().length;
    }

    /**
     * The value this item's payload encodes if it was submitted with a {@link PayloadEncoder} of {@code owner}'s
     * ({@link PayloadEncoder#owner}); else null.
     */
    public Object unencodedValueFor(Object owner) {
        PayloadEncoder by = encoder;
        return by != null && by.owner() == owner ? unencoded : null;
    }

    private byte[] bytes() {
        byte[] bytes = payload;
        if (bytes == null) {
            bytes = encoder.encode(unencoded);
            int bound = encoder.maxEncodedSize(unencoded);
            if (bytes == null || bytes.length > bound) {
                throw new IllegalStateException("the payload of '" + ItemIds.abbreviate(id) + "' encoded to "
                        + (bytes == null ? "null" : bytes.length + " bytes, over its maxEncodedSize " + bound)
                        + " (" + encoder.getClass().getName() + ")");
            }
            payload = bytes;
        }
        return bytes;
    }

    public ContentType contentType() {
        ContentType type = contentType;
        if (type == null) {
            type = JsonDetector.isJsonDocument(bytes()) ? ContentType.JSON : ContentType.BINARY;
            contentType = type;
        }
        return type;
    }

    /** SHA-256 of the payload, lower-case hex (64 characters). */
    public String contentHash() {
        String hash = contentHash;
        if (hash == null) {
            hash = ContentHash.sha256Hex(bytes());
            contentHash = hash;
        }
        return hash;
    }

    public long version() {
        return version;
    }

    public String state() {
        return state;
    }

    /** Epoch millis after which the item no longer exists, or {@link #NO_EXPIRY}. */
    public long expiresAt() {
        return expiresAt;
    }

    public boolean hasExpiry() {
        return expiresAt != NO_EXPIRY;
    }

    public boolean isExpiredAt(long nowMillis) {
        return expiresAt != NO_EXPIRY && nowMillis >= expiresAt;
    }

    /** Epoch millis of the write that produced this version. */
    public long updatedAt() {
        return updatedAt;
    }

    /** The payload as text when it is a JSON document; empty for binary items. */
    public java.util.Optional<String> contentAsJson() {
        return contentType() == ContentType.JSON
                ? java.util.Optional.of(new String(bytes(), StandardCharsets.UTF_8))
                : java.util.Optional.empty();
    }

    /** Whether the stored hash matches the bytes: false means the copy was corrupted in a store or in transit. */
    public boolean isIntact() {
        return hashedFromPayload || contentHash.equals(ContentHash.sha256Hex(bytes()));
    }

    /** Whether both items hold the same bytes (hash compared first, then the bytes). */
    public boolean samePayloadAs(SyncItem other) {
        return contentHash().equals(other.contentHash()) && Arrays.equals(bytes(), other.bytes());
    }

    /** Bytes this item holds in memory, payload plus a fixed estimate for the object and its strings. */
    public int estimatedMemoryBytes() {
        return estimatedMemoryBytes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SyncItem other)) {
            return false;
        }
        return version == other.version && expiresAt == other.expiresAt && updatedAt == other.updatedAt
                && id.equals(other.id) && state.equals(other.state) && contentType() == other.contentType()
                && samePayloadAs(other);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, version, contentHash());
    }

    @Override
    public String toString() {
        return "SyncItem{id='" + ItemIds.abbreviate(id) + "', version=" + version + ", type=" + contentType()
                + ", bytes=" + bytes().length + ", state='" + state + "'"
                + (hasExpiry() ? ", expiresAt=" + expiresAt : "") + "}";
    }
}
