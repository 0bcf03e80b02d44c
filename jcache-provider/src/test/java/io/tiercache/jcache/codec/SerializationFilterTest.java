package io.tiercache.jcache.codec;

import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerializationFilterTest {
    record Money(String currency, long cents) implements Serializable {
    }

    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void jdkValueTypesPassTheDefaultAllowlist() {
        ValueCodec codec = DefaultCodec.create(SerializationFilter.defaults(), loader);
        Object value = Map.of("when", Instant.ofEpochSecond(5), "amount", new BigDecimal("1.50"),
                "items", new ArrayList<>(List.of(1, 2)), "bytes", new int[]{1, 2});

        Object copy = codec.decode(codec.encode(value));

        assertThat(copy).usingRecursiveComparison().isEqualTo(value);
    }

    @Test
    void classOutsideTheAllowlistIsRefusedNamingClassAndSetting() {
        ValueCodec codec = DefaultCodec.create(SerializationFilter.defaults(), loader);
        byte[] bytes = codec.encode(new Money("EUR", 150));

        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Money.class.getName())
                .hasMessageContaining("tiercache.serialization.allowlist");
    }

    @Test
    void classesNestedInAllowedContainersAreStillChecked() {
        ValueCodec codec = DefaultCodec.create(SerializationFilter.defaults(), loader);
        byte[] bytes = codec.encode(new ArrayList<>(List.of(new Money("EUR", 1))));

        assertThatThrownBy(() -> codec.decode(bytes)).hasMessageContaining(Money.class.getName());
    }

    @Test
    void extraPatternsAllowTheirClasses() {
        ValueCodec codec = DefaultCodec.create(
                SerializationFilter.withExtraPatterns("io.tiercache.jcache.codec.*"), loader);

        assertThat(codec.decode(codec.encode(new Money("EUR", 150)))).isEqualTo(new Money("EUR", 150));
    }

    @Test
    void fastPathsSkipSerialization() {
        ValueCodec codec = DefaultCodec.create(SerializationFilter.defaults(), loader);

        assertThat(codec.encode("hi")).containsExactly(1, 'h', 'i');
        assertThat(codec.encode(new byte[]{9})).containsExactly(2, 9);
        assertThat(codec.encode(7L)).hasSize(9);
        assertThat(codec.decode(codec.encode(7))).isEqualTo(7);
    }

    @Test
    void badPatternsAreRefused() {
        assertThatThrownBy(() -> SerializationFilter.withExtraPatterns("!com.acme.*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tiercache.serialization.allowlist");
    }
}
