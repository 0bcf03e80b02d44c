package io.tiercache.hibernate.codec;

import org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueCodecTest {
    private final ValueCodec codec = new ValueCodec(SerializationAllowlist.none());

    @Test
    void jdk_values_round_trip_with_their_exact_class() throws IOException {
        Timestamp timestamp = new Timestamp(1_700_000_000_123L);
        timestamp.setNanos(123_456_789);
        List<Object> values = java.util.Arrays.asList(null, true, false, (byte) 7, (short) -3, 42, 42L, 1.5f, 2.25d,
                'x', "Ada Lovelace ✓", new BigInteger("123456789012345678901234567890"), new BigDecimal("-12.50"),
                UUID.randomUUID(), TimeUnit.SECONDS, new Date(5), new java.sql.Date(86_400_000L),
                new java.sql.Time(3_600_000L), timestamp, Instant.ofEpochSecond(7, 9), LocalDate.of(1815, 12, 10),
                LocalTime.of(13, 14, 15, 16), LocalDateTime.of(2024, 2, 29, 23, 59),
                OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(2)),
                ZonedDateTime.of(2024, 3, 31, 2, 30, 0, 0, ZoneId.of("Europe/Paris")), Duration.ofMillis(1500),
                LazyPropertyInitializer.UNFETCHED_PROPERTY);

        for (Object value : values) {
            Object back = roundTrip(value);
            assertThat(back).as(String.valueOf(value)).isEqualTo(value);
            if (value != null) {
                assertThat(back.getClass()).isSameAs(value.getClass());
            }
        }
        assertThat(roundTrip(LazyPropertyInitializer.UNFETCHED_PROPERTY))
                .isSameAs(LazyPropertyInitializer.UNFETCHED_PROPERTY);
    }

    @Test
    void arrays_lists_and_maps_keep_their_shape() throws IOException {
        Serializable[] state = {1L, "a", new Object[] {2, "b"}, new byte[] {1, 2, 3}, "ab".toCharArray()};
        Object back = roundTrip(state);

        assertThat(back).isInstanceOf(Serializable[].class);
        Object[] array = (Object[]) back;
        assertThat(array[2]).isInstanceOf(Object[].class).isEqualTo(new Object[] {2, "b"});
        assertThat(array[3]).isEqualTo(new byte[] {1, 2, 3});
        assertThat(array[4]).isEqualTo("ab".toCharArray());
        assertThat(roundTrip(List.of(1, List.of("x")))).isEqualTo(List.of(1, List.of("x")));
        assertThat(roundTrip(Map.of("k", 1L))).isEqualTo(Map.of("k", 1L));
    }

    @Test
    void an_unknown_class_is_refused_unless_allowlisted() throws IOException {
        Money money = new Money(5);
        assertThatThrownBy(() -> roundTrip(money)).isInstanceOf(UnsupportedValueException.class)
                .hasMessageContaining(Money.class.getName());

        ValueCodec allowing = new ValueCodec(SerializationAllowlist.parse(Money.class.getName()));
        assertThat(roundTrip(allowing, allowing, money)).isEqualTo(money);
    }

    @Test
    void serialized_bytes_of_a_class_off_the_allowlist_are_never_instantiated() {
        ValueCodec writer = new ValueCodec(SerializationAllowlist.parse(Money.class.getName()));
        ValueCodec reader = new ValueCodec(SerializationAllowlist.parse("com.example.Other"));

        assertThatThrownBy(() -> roundTrip(writer, reader, new Money(5))).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("REJECTED");
    }

    @Test
    void truncated_or_unknown_input_fails_as_an_io_exception() {
        assertThatThrownBy(() -> codec.read(new DataInputStream(new ByteArrayInputStream(new byte[] {99}))))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> codec.read(new DataInputStream(new ByteArrayInputStream(new byte[] {10, 0x7f, 0, 0, 0}))))
                .isInstanceOf(IOException.class);
    }

    private Object roundTrip(Object value) throws IOException {
        return roundTrip(codec, codec, value);
    }

    private static Object roundTrip(ValueCodec writer, ValueCodec reader, Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writer.write(new DataOutputStream(bytes), value);
        return reader.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    record Money(long cents) implements Serializable {
    }
}
