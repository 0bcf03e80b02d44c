package io.tiercache.hibernate.codec;

import org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer;
import org.hibernate.property.access.internal.PropertyAccessStrategyBackRefImpl;

/**
 * Hibernate's singleton marker objects that appear in disassembled state. They are compared by identity inside
 * Hibernate, so they travel as a small id and come back as the very same instance.
 */
final class HibernateMarkers {
    private static final Object[] MARKERS = {
            LazyPropertyInitializer.UNFETCHED_PROPERTY,
            PropertyAccessStrategyBackRefImpl.UNKNOWN,
    };

    private HibernateMarkers() {
    }

    static int idOf(Object value) {
        for (int i = 0; i < MARKERS.length; i++) {
            if (MARKERS[i] == value) {
                return i;
            }
        }
        return -1;
    }

    static Object byId(int id) throws java.io.IOException {
        if (id >= MARKERS.length) {
            throw new java.io.IOException("unknown Hibernate marker " + id);
        }
        return MARKERS[id];
    }
}
