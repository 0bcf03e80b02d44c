package io.tiercache.hibernate.codec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A compact tagged binary form for the values Hibernate puts in its cache entries: the disassembled state of
 * entities and collections, identifiers, versions and query result rows. Those are almost always JDK value types,
 * so each gets a one-byte tag and a fixed layout; date-time types are delegated to {@link TemporalValues}.
 *
 * <p>Anything else is written with Java serialization only when its class is on the configured allowlist, and read
 * back through an {@link ObjectInputFilter} built from that same allowlist, so bytes from a shared store can never
 * instantiate a class nobody allowed. A value that is neither is refused with {@link UnsupportedValueException}:
 * the caller then simply does not cache it.
 *
 * <pre>{@code
 * ValueCodec codec = new ValueCodec(SerializationAllowlist.of("com.acme.Money"));
 * codec.write(out, new Object[] {42L, "Ada", BigDecimal.TEN});
 * }</pre>
 */
public final class ValueCodec {
    private static final int NULL = 0, TRUE = 1, FALSE = 2, BYTE = 3, SHORT = 4, INT = 5, LONG = 6, FLOAT = 7,
            DOUBLE = 8, CHAR = 9, STRING = 10, BIG_INTEGER = 11, BIG_DECIMAL = 12, BYTES = 13, CHARS = 14,
            OBJECT_ARRAY = 15, SERIALIZABLE_ARRAY = 16, UUID_TAG = 17, ENUM = 18, LIST = 19, MAP = 20,
            MARKER = 21, TEMPORAL = 22, SERIALIZED = 23;
    private static final int MAX_DEPTH = 32;

    private final SerializationAllowlist allowlist;
    private final ClassLoader classLoader;

    public ValueCodec(SerializationAllowlist allowlist) {
        this(allowlist, ValueCodec.class.getClassLoader());
    }

    public ValueCodec(SerializationAllowlist allowlist, ClassLoader classLoader) {
        this.allowlist = allowlist;
        this.classLoader = classLoader;
    }

    public void write(DataOutput out, Object value) throws IOException {
        write(out, value, 0);
    }

    public Object read(DataInput in) throws IOException {
        return read(in, 0);
    }

    private void write(DataOutput out, Object value, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new UnsupportedValueException("value nested deeper than " + MAX_DEPTH + " levels");
        }
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof Boolean b) {
            out.writeByte(b ? TRUE : FALSE);
        } else if (value instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (value instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (value instanceof String s) {
            out.writeByte(STRING);
            writeString(out, s);
        } else if (value instanceof Short s) {
            out.writeByte(SHORT);
            out.writeShort(s);
        } else if (value instanceof Byte b) {
            out.writeByte(BYTE);
            out.writeByte(b);
        } else if (value instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (value instanceof Float f) {
            out.writeByte(FLOAT);
            out.writeFloat(f);
        } else if (value instanceof Character c) {
            out.writeByte(CHAR);
            out.writeChar(c);
        } else if (value.getClass() == BigInteger.class) {
            out.writeByte(BIG_INTEGER);
            writeBytes(out, ((BigInteger) value).toByteArray());
        } else if (value.getClass() == BigDecimal.class) {
            BigDecimal d = (BigDecimal) value;
            out.writeByte(BIG_DECIMAL);
            out.writeInt(d.scale());
            writeBytes(out, d.unscaledValue().toByteArray());
        } else if (value instanceof byte[] bytes) {
            out.writeByte(BYTES);
            writeBytes(out, bytes);
        } else if (value instanceof char[] chars) {
            out.writeByte(CHARS);
            writeString(out, new String(chars));
        } else if (value.getClass() == Object[].class || value.getClass() == Serializable[].class) {
            Object[] array = (Object[]) value;
            out.writeByte(value.getClass() == Object[].class ? OBJECT_ARRAY : SERIALIZABLE_ARRAY);
            out.writeInt(array.length);
            for (Object element : array) {
                write(out, element, depth + 1);
            }
        } else if (value instanceof UUID uuid) {
            out.writeByte(UUID_TAG);
            out.writeLong(uuid.getMostSignificantBits());
            out.writeLong(uuid.getLeastSignificantBits());
        } else if (value instanceof Enum<?> e) {
            out.writeByte(ENUM);
            writeString(out, e.getDeclaringClass().getName());
            writeString(out, e.name());
        } else if (value instanceof List<?> list) {
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object element : list) {
                write(out, element, depth + 1);
            }
        } else if (value instanceof Map<?, ?> map) {
            out.writeByte(MAP);
            out.writeInt(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                write(out, entry.getKey(), depth + 1);
                write(out, entry.getValue(), depth + 1);
            }
        } else if (HibernateMarkers.idOf(value) >= 0) {
            out.writeByte(MARKER);
            out.writeByte(HibernateMarkers.idOf(value));
        } else if (TemporalValues.supports(value)) {
            out.writeByte(TEMPORAL);
            TemporalValues.write(out, value);
        } else if (value instanceof Serializable && allowlist.allows(value.getClass())) {
            out.writeByte(SERIALIZED);
            writeBytes(out, AllowlistedSerialization.serialize(value));
        } else {
            throw new UnsupportedValueException("no built-in codec for " + value.getClass().getName()
                    + " and it is not on the serialization allowlist " + allowlist);
        }
    }

    private Object read(DataInput in, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("value nested deeper than " + MAX_DEPTH + " levels");
        }
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case NULL -> null;
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case BYTE -> in.readByte();
            case SHORT -> in.readShort();
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case FLOAT -> in.readFloat();
            case DOUBLE -> in.readDouble();
            case CHAR -> in.readChar();
            case STRING -> readString(in);
            case BIG_INTEGER -> new BigInteger(readBytes(in));
            case BIG_DECIMAL -> {
                int scale = in.readInt();
                yield new BigDecimal(new BigInteger(readBytes(in)), scale);
            }
            case BYTES -> readBytes(in);
            case CHARS -> readString(in).toCharArray();
            case OBJECT_ARRAY, SERIALIZABLE_ARRAY -> {
                int length = readLength(in);
                Object[] array = tag == OBJECT_ARRAY ? new Object[length] : new Serializable[length];
                for (int i = 0; i < length; i++) {
                    array[i] = read(in, depth + 1);
                }
                yield array;
            }
            case UUID_TAG -> new UUID(in.readLong(), in.readLong());
            case ENUM -> readEnum(readString(in), readString(in));
            case LIST -> {
                int size = readLength(in);
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(read(in, depth + 1));
                }
                yield list;
            }
            case MAP -> {
                int size = readLength(in);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    map.put(read(in, depth + 1), read(in, depth + 1));
                }
                yield map;
            }
            case MARKER -> HibernateMarkers.byId(in.readUnsignedByte());
            case TEMPORAL -> TemporalValues.read(in);
            case SERIALIZED -> AllowlistedSerialization.deserialize(readBytes(in), allowlist, classLoader);
            default -> throw new IOException("unknown value tag " + tag);
        };
    }

    private Object readEnum(String className, String name) throws IOException {
        try {
            // initialize=false: naming a class in the store must not run its static initializer
            Class<?> type = Class.forName(className, false, classLoader);
            if (!type.isEnum()) {
                throw new IOException(className + " is not an enum");
            }
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) {
                    return constant;
                }
            }
            throw new IOException(className + " has no constant " + name);
        } catch (ClassNotFoundException e) {
            throw new IOException("unknown enum class " + className, e);
        }
    }

    static void writeString(DataOutput out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(DataInput in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInput in) throws IOException {
        byte[] bytes = new byte[readLength(in)];
        in.readFully(bytes);
        return bytes;
    }

    private static int readLength(DataInput in) throws IOException {
        int length = in.readInt();
        // a corrupt length must fail as a decode error, not as an OutOfMemoryError
        if (length < 0 || length > 64 * 1024 * 1024) {
            throw new IOException("implausible length " + length);
        }
        return length;
    }
}
