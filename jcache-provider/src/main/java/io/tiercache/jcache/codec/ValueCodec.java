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
}
