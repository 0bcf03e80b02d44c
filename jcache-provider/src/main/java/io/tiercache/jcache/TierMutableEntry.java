package io.tiercache.jcache;

import javax.cache.processor.MutableEntry;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The entry an {@link javax.cache.processor.EntryProcessor} works on. It records what the processor did (read,
 * create, update, remove, or a read-through load) so the cache applies exactly that, once, when the processor
 * returns; nothing reaches the cache if the processor throws.
 */
final class TierMutableEntry<K, V> implements MutableEntry<K, V> {
    enum Operation { NONE, ACCESS, CREATE, LOAD, UPDATE, REMOVE }

    private final K key;
    private final Supplier<V> existing;
    private final Function<K, V> loader;
    private Operation operation = Operation.NONE;
    private V value;

    /**
     * @param existing the live stored value, or null if there is none
     * @param loader   the read-through loader, or null if the cache does not read through
     */
    TierMutableEntry(K key, Supplier<V> existing, Function<K, V> loader) {
        this.key = key;
        this.existing = existing;
        this.loader = loader;
    }

    Operation operation() {
        return operation;
    }

    /** The value to store after CREATE, LOAD or UPDATE. */
    V newValue() {
        return value;
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        if (operation == Operation.NONE && existing != null && value == null) {
            value = existing.get();
        }
        if (value != null) {
            if (operation == Operation.NONE) {
                operation = Operation.ACCESS;
            }
        } else if (loader != null && operation == Operation.NONE) {
            value = loader.apply(key);
            if (value != null) {
                operation = Operation.LOAD;
            }
        }
        return value;
    }

    @Override
    public boolean exists() {
        return (operation == Operation.NONE && existing != null) || value != null;
    }

    @Override
    public void remove() {
        operation = operation == Operation.CREATE || operation == Operation.LOAD ? Operation.NONE : Operation.REMOVE;
        value = null;
    }

    @Override
    public void setValue(V newValue) {
        Objects.requireNonNull(newValue, "an entry processor cannot set a null value; use remove()");
        operation = existing == null ? Operation.CREATE : Operation.UPDATE;
        value = newValue;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a mutable entry cannot be unwrapped to " + clazz.getName());
    }
}
