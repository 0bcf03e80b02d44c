package io.tiercache.hibernate.codec;

import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.metamodel.MappingMetamodel;
import org.hibernate.persister.collection.CollectionPersister;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.Type;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A 64-bit digest of the shape Hibernate disassembles an entity or collection into: property names and types, id
 * and version types. Entries carry the fingerprint of the shape that wrote them; a node whose mapping differs (a
 * rolling deploy that added a column, say) reads them as misses instead of assembling state into the wrong slots.
 *
 * <p>Computed lazily, because regions are built before the mapping model has finished initializing.
 */
public final class SchemaFingerprints {
    /** The fingerprint of a role the mapping does not know (query and timestamp regions). */
    public static final long NONE = 0L;

    private static final Pattern INSTANCE_COUNTER = Pattern.compile("@\\d+");

    private final SessionFactoryImplementor factory;
    private final Map<String, Long> cache = new ConcurrentHashMap<>();

    public SchemaFingerprints(SessionFactoryImplementor factory) {
        this.factory = factory;
    }

    public SessionFactoryImplementor factory() {
        return factory;
    }

    /** The fingerprint of an entity name or collection role, {@link #NONE} if it is neither. */
    public long of(String role) {
        if (role == null || role.isEmpty()) {
            return NONE;
        }
        return cache.computeIfAbsent(role, this::compute);
    }

    /** The entity's persister, or null when this mapping has no such entity. */
    public EntityPersister entity(String entityName) {
        return metamodel().findEntityDescriptor(entityName);
    }

    private MappingMetamodel metamodel() {
        return factory.getRuntimeMetamodels().getMappingMetamodel();
    }

    // The Type accessors are deprecated for removal in 6.6 but are still what Hibernate's own key factory uses.
    @SuppressWarnings("removal")
    private long compute(String role) {
        StringBuilder shape = new StringBuilder(256);
        EntityPersister entity = metamodel().findEntityDescriptor(role);
        if (entity != null) {
            shape.append("entity:").append(entity.getEntityName());
            appendType(shape.append(";id="), entity.getIdentifierType());
            if (entity.isVersioned()) {
                appendType(shape.append(";version="), entity.getVersionType());
            }
            String[] names = entity.getPropertyNames();
            Type[] types = entity.getPropertyTypes();
            for (int i = 0; i < names.length; i++) {
                appendType(shape.append(';').append(names[i]).append('='), types[i]);
            }
        } else {
            CollectionPersister collection = metamodel().findCollectionDescriptor(role);
            if (collection == null) {
                return NONE;
            }
            shape.append("collection:").append(collection.getRole());
            appendType(shape.append(";kind="), collection.getCollectionType());
            appendType(shape.append(";key="), collection.getKeyType());
            appendType(shape.append(";element="), collection.getElementType());
            if (collection.hasIndex()) {
                appendType(shape.append(";index="), collection.getIndexType());
            }
        }
        return digest(shape.toString());
    }

    private static void appendType(StringBuilder shape, Type type) {
        // ad-hoc basic types are named like "basicType@26(...)": the counter differs between boots, the rest does not
        shape.append(INSTANCE_COUNTER.matcher(type.getName()).replaceAll(""))
                .append('/').append(type.getReturnedClass().getName());
    }

    private static long digest(String shape) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(shape.getBytes(StandardCharsets.UTF_8));
            long value = ByteBuffer.wrap(hash).getLong();
            return value == NONE ? 1L : value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
