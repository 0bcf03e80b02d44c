package io.tiercache.hibernate.codec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;

/** Date and time values in fixed layouts; the exact class is kept, since Hibernate's types cast to it. */
final class TemporalValues {
    private static final int UTIL_DATE = 1, SQL_DATE = 2, SQL_TIME = 3, SQL_TIMESTAMP = 4, INSTANT = 5,
            LOCAL_DATE = 6, LOCAL_TIME = 7, LOCAL_DATE_TIME = 8, OFFSET_DATE_TIME = 9, ZONED_DATE_TIME = 10,
            OFFSET_TIME = 11, DURATION = 12;

    private TemporalValues() {
    }

    static boolean supports(Object value) {
        Class<?> type = value.getClass();
        return type == Date.class || type == java.sql.Date.class || type == java.sql.Time.class
                || type == Timestamp.class || type == Instant.class || type == LocalDate.class
                || type == LocalTime.class || type == LocalDateTime.class || type == OffsetDateTime.class
                || type == ZonedDateTime.class || type == OffsetTime.class || type == Duration.class;
    }

    static void write(DataOutput out, Object value) throws IOException {
        if (value instanceof Timestamp ts) {
            out.writeByte(SQL_TIMESTAMP);
            out.writeLong(ts.getTime());
            out.writeInt(ts.getNanos());
        } else if (value instanceof java.sql.Date d) {
            out.writeByte(SQL_DATE);
            out.writeLong(d.getTime());
        } else if (value instanceof java.sql.Time t) {
            out.writeByte(SQL_TIME);
            out.writeLong(t.getTime());
        } else if (value instanceof Date d) {
            out.writeByte(UTIL_DATE);
            out.writeLong(d.getTime());
        } else if (value instanceof Instant i) {
            out.writeByte(INSTANT);
            writeInstant(out, i);
        } else if (value instanceof LocalDate d) {
            out.writeByte(LOCAL_DATE);
            out.writeLong(d.toEpochDay());
        } else if (value instanceof LocalTime t) {
            out.writeByte(LOCAL_TIME);
            out.writeLong(t.toNanoOfDay());
        } else if (value instanceof LocalDateTime t) {
            out.writeByte(LOCAL_DATE_TIME);
            out.writeLong(t.toLocalDate().toEpochDay());
            out.writeLong(t.toLocalTime().toNanoOfDay());
        } else if (value instanceof OffsetDateTime t) {
            out.writeByte(OFFSET_DATE_TIME);
            writeInstant(out, t.toInstant());
            out.writeInt(t.getOffset().getTotalSeconds());
        } else if (value instanceof ZonedDateTime t) {
            out.writeByte(ZONED_DATE_TIME);
            writeInstant(out, t.toInstant());
            ValueCodec.writeString(out, t.getZone().getId());
        } else if (value instanceof OffsetTime t) {
            out.writeByte(OFFSET_TIME);
            out.writeLong(t.toLocalTime().toNanoOfDay());
            out.writeInt(t.getOffset().getTotalSeconds());
        } else if (value instanceof Duration d) {
            out.writeByte(DURATION);
            out.writeLong(d.getSeconds());
            out.writeInt(d.getNano());
        } else {
            throw new UnsupportedValueException("not a temporal value: " + value.getClass().getName());
        }
    }

    static Object read(DataInput in) throws IOException {
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case UTIL_DATE -> new Date(in.readLong());
            case SQL_DATE -> new java.sql.Date(in.readLong());
            case SQL_TIME -> new java.sql.Time(in.readLong());
            case SQL_TIMESTAMP -> {
                Timestamp ts = new Timestamp(in.readLong());
                ts.setNanos(in.readInt());
                yield ts;
            }
            case INSTANT -> readInstant(in);
            case LOCAL_DATE -> LocalDate.ofEpochDay(in.readLong());
            case LOCAL_TIME -> LocalTime.ofNanoOfDay(in.readLong());
            case LOCAL_DATE_TIME -> LocalDateTime.of(LocalDate.ofEpochDay(in.readLong()),
                    LocalTime.ofNanoOfDay(in.readLong()));
            case OFFSET_DATE_TIME -> {
                Instant instant = readInstant(in);
                yield OffsetDateTime.ofInstant(instant, ZoneOffset.ofTotalSeconds(in.readInt()));
            }
            case ZONED_DATE_TIME -> {
                Instant instant = readInstant(in);
                yield ZonedDateTime.ofInstant(instant, ZoneId.of(ValueCodec.readString(in)));
            }
            case OFFSET_TIME -> {
                LocalTime time = LocalTime.ofNanoOfDay(in.readLong());
                yield OffsetTime.of(time, ZoneOffset.ofTotalSeconds(in.readInt()));
            }
            case DURATION -> Duration.ofSeconds(in.readLong(), in.readInt());
            default -> throw new IOException("unknown temporal kind " + kind);
        };
    }

    private static void writeInstant(DataOutput out, Instant instant) throws IOException {
        out.writeLong(instant.getEpochSecond());
        out.writeInt(instant.getNano());
    }

    private static Instant readInstant(DataInput in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }
}
