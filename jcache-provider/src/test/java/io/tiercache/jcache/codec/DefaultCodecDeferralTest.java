package io.tiercache.jcache.codec;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** What the default codec lets the engine encode later: only values whose encoding cannot fail, within its bound. */
class DefaultCodecDeferralTest {
    private final DefaultCodec codec = DefaultCodec.create(SerializationFilter.defaults(),
            getClass().getClassLoader());

    @Test
    void anyStringEncodesWithinItsBound() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 2_000; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                // Every UTF-16 unit: ASCII, 2- and 3-byte chars, and surrogates (paired or not).
                text.append((char) random.nextInt(Character.MAX_VALUE + 1));
            }
            int bound = codec.maxDeferredSize(text.toString());
            assertThat(codec.encode(text.toString()).length).as(text.toString()).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void asciiIsEstimatedExactlyAndSurrogatePairsStayInBound() {
        assertThat(codec.estimatedDeferredSize("hello")).isEqualTo(codec.encode("hello").length);
        String pairs = "\uD83D\uDE00".repeat(10) + "\uD800";   // emoji pairs and a lone surrogate
        assertThat(codec.encode(pairs).length).isLessThanOrEqualTo(codec.maxDeferredSize(pairs));
        assertThat(codec.maxDeferredSize(42L)).isEqualTo(codec.encode(42L).length);
        assertThat(codec.maxDeferredSize(42)).isEqualTo(codec.encode(42).length);
    }

    @Test
    void mutableOrSerializedValuesAreEncodedAtOnce() {
        for (Object value : List.of(new byte[]{1}, new BigDecimal("1.5"), List.of("a"), new StringBuilder("a"))) {
            assertThat(codec.maxDeferredSize(value)).as(value.getClass().getName()).isEqualTo(-1);
        }
        ValueCodec custom = new ValueCodec() {
            @Override
            public byte[] encode(Object value) {
                return new byte[0];
            }

            @Override
            public Object decode(byte[] bytes) {
                return null;
            }
        };
        assertThat(custom.maxDeferredSize("text")).as("a codec that does not say otherwise").isEqualTo(-1);
    }
}
