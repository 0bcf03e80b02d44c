package io.tiercache.jcache.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;

/**
 * Java serialization with the reading side behind a {@link SerializationFilter} and resolved through the cache
 * manager's class loader, so a cache created under one loader rebuilds its own classes.
 *
 * <pre>{@code
 * JavaSerialization serialization = new JavaSerialization(SerializationFilter.defaults(), loader);
 * Object copy = serialization.read(serialization.write(List.of(1, 2)));
 * }</pre>
 */
public final class JavaSerialization {
    private final SerializationFilter filter;
    private final ClassLoader classLoader;

    public JavaSerialization(SerializationFilter filter, ClassLoader classLoader) {
        this.filter = filter;
        this.classLoader = classLoader;
    }

    public byte[] write(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        writeTo(bytes, value);
        return bytes.toByteArray();
    }

    /** Serializes {@code value} onto {@code out}; a class that cannot be serialized fails naming it. */
    public void writeTo(OutputStream out, Object value) {
        try (ObjectOutputStream stream = new ObjectOutputStream(out)) {
            stream.writeObject(value);
        } catch (NotSerializableException e) {
            throw new CodecException("cannot store a " + value.getClass().getName() + " by value: "
                    + e.getMessage() + " is not Serializable (use a Serializable type, a custom codec in "
                    + "TierCacheConfiguration, or store-by-reference)", e);
        } catch (IOException e) {
            throw new CodecException("cannot serialize a " + value.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    public Object read(byte[] bytes, int offset) {
        Class<?>[] rejected = new Class<?>[1];
        try (ObjectInputStream stream = new LoaderObjectInputStream(
                new ByteArrayInputStream(bytes, offset, bytes.length - offset), classLoader)) {
            stream.setObjectInputFilter(filter.asObjectInputFilter(type -> rejected[0] = type));
            return stream.readObject();
        } catch (InvalidClassException e) {
            if (rejected[0] != null) {
                String name = rejected[0].getName();
                throw new CodecException("refused to deserialize class " + name + ": it is not in the "
                        + "allowlist; add it (or its package, e.g. " + packagePattern(name) + ") to "
                        + SerializationFilter.SETTING, e);
            }
            throw new CodecException("cannot deserialize " + e.classname + ": " + e.getMessage(), e);
        } catch (ClassNotFoundException e) {
            throw new CodecException("cannot deserialize a cached value: class " + e.getMessage()
                    + " is not visible to the cache manager's class loader " + classLoader, e);
        } catch (IOException e) {
            throw new CodecException("cannot deserialize a cached value: " + e, e);
        }
    }

    private static String packagePattern(String className) {
        if (className == null) {
            return "com.example.**";
        }
        int dot = className.lastIndexOf('.');
        return dot < 0 ? className : className.substring(0, dot) + ".*";
    }

    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(ByteArrayInputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
