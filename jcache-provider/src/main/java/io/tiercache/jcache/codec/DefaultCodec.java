package io.tiercache.jcache.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The codec every cache gets unless its {@code TierCacheConfiguration} names another: one tag byte, then
 * {@code String} as UTF-8, {@code byte[]} raw, {@code Long}/{@code Integer} as 8/4 bytes, and anything else through
 * filtered {@link JavaSerialization}. The fast paths keep common values readable in L3 and skip serialization cost.
 *
 * <pre>{@code
 * ValueCodec codec = DefaultCodec.create(SerializationFilter.defaults(), loader);
 * codec.decode(codec.encode(42L)); // 42L, stored as 9 bytes
 * }</pre>
 */
public final class DefaultCodec implements ValueCodec {
    private static final byte JAVA = 0;
    private static final byte STRING = 1;
    private static final byte BYTES = 2;
    private static final byte LONG = 3;
    private static final byte INTEGER = 4;

    private final JavaSerialization serialization;

    private DefaultCodec(JavaSerialization serialization) {
        this.serialization = serialization;
    }

    public static DefaultCodec create(SerializationFilter filter, ClassLoader classLoader) {
        return new DefaultCodec(new JavaSerialization(filter, classLoader));
    }

    @Override
    public byte[] encode(Object value) {
        if (value instanceof String s) {
            return encodeString(s);
        }
        if (value instanceof byte[] b) {
            return tagged(BYTES, b);
        }
        if (value instanceof Long l) {
            return ByteBuffer.allocate(9).put(LONG).putLong(l).array();
        }
        if (value instanceof Integer i) {
            return ByteBuffer.allocate(5).put(INTEGER).putInt(i).array();
        }
        byte[] serialized = serialization.write(value);
        return tagged(JAVA, serialized);
    }

    @Override
    public Object decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new CodecException("cannot decode an empty value: the stored bytes carry no codec tag");
        }
        return switch (bytes[0]) {
            case STRING -> new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
            case BYTES -> Arrays.copyOfRange(bytes, 1, bytes.length);
            case LONG -> ByteBuffer.wrap(bytes, 1, 8).getLong();
            case INTEGER -> ByteBuffer.wrap(bytes, 1, 4).getInt();
            case JAVA -> serialization.read(bytes, 1);
            default -> throw new CodecException("unknown value tag " + bytes[0]
                    + ": the entry was written by a different codec than this cache's");
        };
    }

    /** UTF-8 after the tag; an ASCII string (the common case) is written in one pass into one array. */
    @SuppressWarnings("deprecation")
    /** Strings, longs and integers: immutable, and encoded by code that cannot fail. */
    @Override
    public int maxDeferredSize(Object value) {
        if (value instanceof String s) {
            // UTF-8 takes at most three bytes per char (a surrogate pair: four for two chars).
            return s.length() > (Integer.MAX_VALUE - 1) / 3 ? Integer.MAX_VALUE : 1 + 3 * s.length();
        }
        return value instanceof Long ? 9 : value instanceof Integer ? 5 : -1;
    }

    @Override
    public int estimatedDeferredSize(Object value) {
        return value instanceof String s ? 1 + s.length() : maxDeferredSize(value);
    }

    private static byte[] encodeString(String s) {
        // The JDK's own encoder: an ASCII string is one vectorized check and one copy.
        return tagged(STRING, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] tagged(byte tag, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }
}
