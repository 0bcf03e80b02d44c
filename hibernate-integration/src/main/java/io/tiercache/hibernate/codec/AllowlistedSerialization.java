package io.tiercache.hibernate.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Java serialization for the few values without a built-in codec, only ever read through the allowlist's
 * {@link java.io.ObjectInputFilter}: bytes from a shared store must not be able to instantiate arbitrary classes.
 */
final class AllowlistedSerialization {
    private AllowlistedSerialization() {
    }

    static byte[] serialize(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    static Object deserialize(byte[] bytes, SerializationAllowlist allowlist, ClassLoader loader) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                // initialize=false: the filter judges the class after this, and a rejected one must not have run code
                return Class.forName(desc.getName(), false, loader);
            }
        }) {
            in.setObjectInputFilter(allowlist.filter());
            return in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot deserialize: " + e.getMessage(), e);
        }
    }
}
