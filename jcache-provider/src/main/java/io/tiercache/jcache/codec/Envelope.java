package io.tiercache.jcache.codec;

import java.nio.ByteBuffer;

/**
 * What one cache entry looks like in the engine: a small header the provider owns (JCache expiry changes on access,
 * which the engine's TTL cannot express), then the value's codec bytes.
 *
 * <p>Layout: magic {@code 'J'}, flags, expiry (epoch ms, {@link #ETERNAL} for none), a write stamp that identifies
 * this write for the store-by-reference table, optionally the key's bytes (hashed ids), then the value bytes.
 * An entry that needs none of that (eternal, stamp 0, no key bytes) is stored as the bare value bytes, so a
 * JSON-coded value is plain JSON in L3; bare bytes starting with the magic byte are always wrapped.
 *
 * <pre>{@code
 * byte[] payload = new Envelope(Envelope.ETERNAL, 7L, null, valueBytes, false).encode();
 * Envelope back = Envelope.decode("users/ada", payload);
 * }</pre>
 */
public record Envelope(long expireAt, long stamp, byte[] storedKey, byte[] value, boolean localReference) {
    public static final long ETERNAL = Long.MAX_VALUE;
    private static final byte MAGIC = 'J';
    private static final int HAS_KEY = 1;
    private static final int LOCAL_REFERENCE = 2;
    private static final int HEADER = 1 + 1 + 8 + 8;

    public boolean isExpiredAt(long now) {
        return expireAt <= now;
    }

    public Envelope withExpireAt(long newExpireAt) {
        return new Envelope(newExpireAt, stamp, storedKey, value, localReference);
    }

    /** Whether the entry is stored as its bare value bytes. */
    public boolean isBare() {
        return expireAt == ETERNAL && stamp == 0 && storedKey == null && !localReference
                && (value.length == 0 || value[0] != MAGIC);
    }

    /** The most bytes {@link #encode} gives an envelope without a stored key around {@code valueBytes} bytes. */
    public static int maxEncodedSize(int valueBytes) {
        return valueBytes > Integer.MAX_VALUE - HEADER ? Integer.MAX_VALUE : HEADER + valueBytes;
    }

    public byte[] encode() {
        if (isBare()) {
            return value;
        }
        int keyLength = storedKey == null ? 0 : 4 + storedKey.length;
        ByteBuffer out = ByteBuffer.allocate(HEADER + keyLength + value.length);
        out.put(MAGIC).put((byte) ((storedKey != null ? HAS_KEY : 0) | (localReference ? LOCAL_REFERENCE : 0)));
        out.putLong(expireAt).putLong(stamp);
        if (storedKey != null) {
            out.putInt(storedKey.length).put(storedKey);
        }
        return out.put(value).array();
    }

    public static Envelope decode(String id, byte[] payload) {
        if (payload.length == 0 || payload[0] != MAGIC) {
            return new Envelope(ETERNAL, 0, null, payload, false);
        }
        if (payload.length < HEADER) {
            throw new CodecException("item '" + id + "' has a truncated envelope (" + payload.length
                    + " bytes); keep other writers out of a cache's namespace");
        }
        ByteBuffer in = ByteBuffer.wrap(payload);
        in.get();
        int flags = in.get();
        long expireAt = in.getLong();
        long stamp = in.getLong();
        byte[] key = null;
        if ((flags & HAS_KEY) != 0) {
            key = new byte[in.getInt()];
            in.get(key);
        }
        byte[] value = new byte[in.remaining()];
        in.get(value);
        return new Envelope(expireAt, stamp, key, value, (flags & LOCAL_REFERENCE) != 0);
    }
}
