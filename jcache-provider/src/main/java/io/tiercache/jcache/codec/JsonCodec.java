package io.tiercache.jcache.codec;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Objects;

/**
 * Stores values as JSON, so the engine recognizes them as JSON documents and other tools can read L3 directly.
 * Only values of the configured type are accepted.
 *
 * <pre>{@code
 * TierCacheConfiguration<String, Order> config = new TierCacheConfiguration<String, Order>()
 *         .setTypes(String.class, Order.class)
 *         .setValueCodec(new JsonCodec<>(Order.class));
 * }</pre>
 */
public final class JsonCodec<V> implements ValueCodec {
    private final Class<V> type;
    private final ObjectMapper mapper;

    public JsonCodec(Class<V> type) {
        this(type, new ObjectMapper().findAndRegisterModules());
    }

    public JsonCodec(Class<V> type, ObjectMapper mapper) {
        this.type = Objects.requireNonNull(type, "type");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public byte[] encode(Object value) {
        if (!type.isInstance(value)) {
            throw new CodecException("this JSON codec stores " + type.getName() + " values, not "
                    + value.getClass().getName());
        }
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new CodecException("cannot write a " + type.getName() + " as JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public Object decode(byte[] bytes) {
        try {
            return mapper.readValue(bytes, type);
        } catch (IOException e) {
            throw new CodecException("cannot read a " + type.getName() + " from JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "JsonCodec[" + type.getName() + "]";
    }
}
