package io.tiercache.hibernate.codec;

import org.hibernate.cache.spi.entry.CacheEntry;
import org.hibernate.cache.spi.entry.CollectionCacheEntry;
import org.hibernate.cache.spi.entry.StructuredCacheEntry;
import org.hibernate.cache.spi.entry.StructuredCollectionCacheEntry;
import org.hibernate.persister.entity.EntityPersister;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns what Hibernate stores in a region into bytes and back. Every payload starts with a magic byte, a format
 * version and a kind; entity, collection and natural-id entries then carry the schema fingerprint of their role.
 *
 * <pre>
 *  'T' 1 'E' subclass fingerprint version state[]     entity (Hibernate's StandardCacheEntryImpl)
 *  'T' 1 'C' role fingerprint state[]                  collection (CollectionCacheEntry)
 *  'T' 1 'V' role fingerprint value                    any other value: natural-id → id, timestamps, structured maps
 *  'T' 1 'Q' timestamp results                          query results item
 *  'T' 1 'I' timestamp version value-bytes             READ_WRITE item (value encoded as above)
 *  'T' 1 'L' owner lockId version timeout concurrent multiplicity unlockTimestamp   READ_WRITE soft lock
 * </pre>
 *
 * Decoding throws {@link IOException} for anything unexpected and {@link StaleShapeException} for a fingerprint
 * that is not this node's; the storage layer turns both into a miss and evicts the entry.
 */
public final class EntryCodec {
    private static final int MAGIC = 'T';
    private static final int FORMAT = 1;
    private static final int ENTITY = 'E', COLLECTION = 'C', VALUE = 'V', QUERY = 'Q', ITEM = 'I', LOCK = 'L';

    private final ValueCodec values;
    private final SchemaFingerprints fingerprints;

    public EntryCodec(ValueCodec values, SchemaFingerprints fingerprints) {
        this.values = values;
        this.fingerprints = fingerprints;
    }

    /** Encodes {@code value} cached under a key of {@code role} (entity name or collection role; may be empty). */
    public byte[] encode(String role, Object value) throws UnsupportedValueException {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(MAGIC);
            out.writeByte(FORMAT);
            if (value instanceof RwItem item) {
                out.writeByte(ITEM);
                out.writeLong(item.timestamp());
                values.write(out, item.version());
                ValueCodec.writeBytes(out, item.value());
            } else if (value instanceof RwLock lock) {
                out.writeByte(LOCK);
                out.writeLong(lock.owner().getMostSignificantBits());
                out.writeLong(lock.owner().getLeastSignificantBits());
                out.writeLong(lock.lockId());
                values.write(out, lock.version());
                out.writeLong(lock.timeout());
                out.writeBoolean(lock.concurrent());
                out.writeInt(lock.multiplicity());
                out.writeLong(lock.unlockTimestamp());
            } else if (value instanceof CacheEntry entry) {
                if (entry.isReferenceEntry()) {
                    throw new UnsupportedValueException("reference cache entries hold live entity instances");
                }
                out.writeByte(ENTITY);
                ValueCodec.writeString(out, entry.getSubclass());
                out.writeLong(fingerprints.of(entry.getSubclass()));
                values.write(out, entry.getVersion());
                values.write(out, entry.getDisassembledState());
            } else if (value instanceof CollectionCacheEntry entry) {
                out.writeByte(COLLECTION);
                ValueCodec.writeString(out, role);
                out.writeLong(fingerprints.of(role));
                values.write(out, entry.getState());
            } else if (QueryCacheItems.isItem(value)) {
                out.writeByte(QUERY);
                out.writeLong(QueryCacheItems.timestamp(value));
                values.write(out, QueryCacheItems.results(value));
            } else {
                out.writeByte(VALUE);
                ValueCodec.writeString(out, role);
                out.writeLong(fingerprints.of(role));
                values.write(out, value);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (UnsupportedValueException e) {
            throw e;
        } catch (IOException e) {
            throw new UnsupportedValueException(e.toString());
        }
    }

    /** The object Hibernate expects back, or an exception when the bytes are not a current entry. */
    public Object decode(byte[] payload) throws IOException {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
            if (in.readUnsignedByte() != MAGIC) {
                throw new IOException("not a tiercache Hibernate entry (bad magic byte)");
            }
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new StaleShapeException("entry format " + format + ", this node reads format " + FORMAT);
            }
            int kind = in.readUnsignedByte();
            Object decoded = switch (kind) {
                case ITEM -> readItem(in);
                case LOCK -> new RwLock(new UUID(in.readLong(), in.readLong()), in.readLong(), values.read(in),
                        in.readLong(), in.readBoolean(), in.readInt(), in.readLong());
                case ENTITY -> readEntity(in);
                case COLLECTION -> {
                    checkShape(ValueCodec.readString(in), in.readLong());
                    Serializable[] state = (Serializable[]) values.read(in);
                    yield StructuredCollectionCacheEntry.INSTANCE.destructure(Arrays.asList(state),
                            fingerprints.factory());
                }
                case QUERY -> QueryCacheItems.create(in.readLong(), (List<?>) values.read(in));
                case VALUE -> {
                    checkShape(ValueCodec.readString(in), in.readLong());
                    yield values.read(in);
                }
                default -> throw new IOException("unknown entry kind " + kind);
            };
            if (in.available() > 0) {
                throw new IOException(in.available() + " trailing bytes after the entry");
            }
            return decoded;
        } catch (ClassCastException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException("malformed entry: " + e, e);
        }
    }

    private RwItem readItem(DataInputStream in) throws IOException {
        long timestamp = in.readLong();
        Object version = values.read(in);
        return new RwItem(ValueCodec.readBytes(in), version, timestamp);
    }

    private Object readEntity(DataInputStream in) throws IOException {
        String subclass = ValueCodec.readString(in);
        checkShape(subclass, in.readLong());
        Object version = values.read(in);
        Serializable[] state = (Serializable[]) values.read(in);
        EntityPersister persister = fingerprints.entity(subclass);
        if (persister == null) {
            throw new StaleShapeException("this node maps no entity " + subclass);
        }
        String[] names = persister.getPropertyNames();
        if (names.length != state.length) {
            throw new StaleShapeException(subclass + " has " + names.length + " properties, the entry " + state.length);
        }
        // StructuredCacheEntry is the public way to rebuild Hibernate's StandardCacheEntryImpl from its parts.
        Map<String, Object> structured = new HashMap<>(names.length + 3);
        structured.put(StructuredCacheEntry.SUBCLASS_KEY, subclass);
        structured.put(StructuredCacheEntry.VERSION_KEY, version);
        for (int i = 0; i < names.length; i++) {
            structured.put(names[i], state[i]);
        }
        return new StructuredCacheEntry(persister).destructure(structured, fingerprints.factory());
    }

    private void checkShape(String role, long written) throws StaleShapeException {
        long current = fingerprints.of(role);
        if (current != written) {
            throw new StaleShapeException("entry for '" + role + "' was written for schema "
                    + Long.toHexString(written) + ", this node maps schema " + Long.toHexString(current));
        }
    }
}
