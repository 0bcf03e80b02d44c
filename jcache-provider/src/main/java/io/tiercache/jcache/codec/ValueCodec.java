package io.tiercache.jcache.codec;

/**
 * Turns cache values into the bytes the engine stores and back. Every store-by-value cache copies its values through
 * one, so a decoded value never shares state with the instance that was put.
 *
 * <pre>{@code
 * ValueCodec codec = DefaultCodec.create(SerializationFilter.defaults(), getClass().getClassLoader());
 * byte[] bytes = codec.encode("hello");
 * String back = (String) codec.decode(bytes);
 * }</pre>
 *
 * <p>Implementations are thread-safe. Failures throw {@link CodecException} naming the value's class.
 */
public interface ValueCodec {
    /** The bytes that represent {@code value}; never null. */
    byte[] encode(Object value);

    /** The value {@code bytes} represent. */
    Object decode(byte[] bytes);

    /**
     * The most bytes {@link #encode} gives {@code value}, if {@code value} is immutable and its encoding cannot fail
     * and is the same on every call, so that it may be encoded later, on another thread (the write-behind's); -1
     * when it must be encoded at once, which the default answers for every value.
     */
    default int maxDeferredSize(Object value) {
        return -1;
    }

    /** About as many bytes as {@link #encode} gives a value {@link #maxDeferredSize} accepts. */
    default int estimatedDeferredSize(Object value) {
        return maxDeferredSize(value);
    }
}
