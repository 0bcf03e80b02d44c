package io.tiercache.hibernate.codec;

/**
 * A READ_WRITE entry holding a value: readable by transactions that started after {@code timestamp}, replaceable
 * by a load of a newer {@code version}. The value stays encoded until someone reads it.
 */
public record RwItem(byte[] value, Object version, long timestamp) {
}
