package io.tiercache.engine.merkle;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Digest arithmetic is exactly unsigned arithmetic modulo 2^256, checked against BigInteger. */
class Digest256Test {
    private static final BigInteger MODULUS = BigInteger.ONE.shiftLeft(256);

    @Property(tries = 300)
    void plusAndMinusMatchBigIntegerModulo2To256(@ForAll @Size(32) byte[] a, @ForAll @Size(32) byte[] b) {
        Digest256 x = Digest256.fromBytes(a);
        Digest256 y = Digest256.fromBytes(b);
        assertThat(big(x.plus(y))).isEqualTo(big(x).add(big(y)).mod(MODULUS));
        assertThat(big(x.minus(y))).isEqualTo(big(x).subtract(big(y)).mod(MODULUS));
        assertThat(x.plus(y).minus(y)).isEqualTo(x);
    }

    @Test
    void carriesRippleThroughEveryWordAndWrapAround() {
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xff);
        Digest256 max = Digest256.fromBytes(ones);
        Digest256 one = Digest256.fromHex("00".repeat(31) + "01");
        assertThat(max.plus(one)).isEqualTo(Digest256.ZERO);
        assertThat(Digest256.ZERO.minus(one)).isEqualTo(max);
        Digest256 lowWordsFull = Digest256.fromHex("00".repeat(8) + "ff".repeat(24));
        assertThat(lowWordsFull.plus(one).toHex()).isEqualTo("00".repeat(7) + "01" + "00".repeat(24));
        assertThat(one.negate().plus(one).isZero()).isTrue();
        assertThat(Digest256.ZERO.negate()).isEqualTo(Digest256.ZERO);
    }

    @Property(tries = 100)
    void bytesAndHexRoundTrip(@ForAll @Size(32) byte[] bytes) {
        Digest256 d = Digest256.fromBytes(bytes);
        assertThat(d.toBytes()).isEqualTo(bytes);
        assertThat(Digest256.fromHex(d.toHex())).isEqualTo(d);
        assertThat(Digest256.fromHex(d.toHex().toUpperCase())).isEqualTo(d);
        assertThat(Integer.signum(d.compareTo(Digest256.ZERO))).isEqualTo(big(d).signum());
    }

    @Test
    void malformedDigestsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Digest256.fromBytes(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> Digest256.fromBytes(new byte[31])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes, got 31");
        assertThatThrownBy(() -> Digest256.fromHex("abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 hex digits, got 3");
        assertThatThrownBy(() -> Digest256.fromHex("g" + "0".repeat(63)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 0");
        assertThatThrownBy(() -> Digest256.fromHex(null)).isInstanceOf(IllegalArgumentException.class);
    }

    private static BigInteger big(Digest256 d) {
        return new BigInteger(1, d.toBytes());
    }
}
