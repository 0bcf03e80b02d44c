package io.tiercache.engine.merkle;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The item encoding is a storage format: these vectors pin it (computed independently with Python's hashlib). */
class ItemDigestTest {
    private static final String EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void encodingIsIdZeroHashHexZeroBigEndianVersion() {
        byte[] encoded = ItemDigest.encode("users/42", EMPTY_SHA, 7L);
        assertThat(HexFormat.of().formatHex(encoded)).isEqualTo("75736572732f343200"
                + "6533623063343432393866633163313439616662663463383939366662393234"
                + "3237616534316534363439623933346361343935393931623738353262383535" + "00"
                + "0000000000000007");
        assertThat(ItemDigest.of("users/42", EMPTY_SHA, 7L).toHex())
                .isEqualTo("00e0e063dfd362f3124008fdc2977541310d2dc7dd3d3c9977b0c573c13f1f25");
    }

    @Test
    void negativeVersionsAreTwosComplementAndEveryFieldMatters() {
        byte[] encoded = ItemDigest.encode("x", EMPTY_SHA, -1L);
        assertThat(HexFormat.of().formatHex(encoded)).endsWith("00ffffffffffffffff");
        Digest256 base = ItemDigest.of("a", EMPTY_SHA, 1L);
        assertThat(ItemDigest.of("b", EMPTY_SHA, 1L)).isNotEqualTo(base);
        assertThat(ItemDigest.of("a", EMPTY_SHA, 2L)).isNotEqualTo(base);
        assertThat(ItemDigest.of("a", "f" + EMPTY_SHA.substring(1), 1L)).isNotEqualTo(base);
        assertThat(ItemDigest.of("a", new ItemState(EMPTY_SHA, 1L))).isEqualTo(base);
    }

    @Test
    void hostileInputIsRefused() {
        assertThatThrownBy(() -> ItemDigest.of(null, EMPTY_SHA, 1L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> ItemDigest.of("a", EMPTY_SHA.toUpperCase(), 1L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower-case hex");
        assertThatThrownBy(() -> ItemDigest.of("a", null, 1L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> new ItemState("abc", 1L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'abc'");
        assertThatThrownBy(() -> ItemDigest.of("a", null)).isInstanceOf(IllegalArgumentException.class);
    }
}
