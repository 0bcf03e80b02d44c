package io.tiercache.engine.merkle;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A 256-bit value: a merkle node digest, or an item digest on its way into a leaf sum. Immutable.
 *
 * <p>Leaves are sums, so the value also is an unsigned integer modulo 2<sup>256</sup> with {@link #plus} and
 * {@link #minus}. It is held as four longs, most significant first, because a write does one add and one subtract
 * on the hot path and {@code BigInteger} would allocate several arrays for each.
 *
 * <p>{@link #ZERO} (32 zero bytes) is the digest of every empty node, the root of an empty tree included; a store
 * never holds it (see {@link MerkleTree}).
 *
 * <pre>{@code
 * Digest256 leaf = Digest256.ZERO.plus(ItemDigest.of("users/42", hash, 7L));
 * assert leaf.minus(ItemDigest.of("users/42", hash, 7L)).isZero();
 * String stored = leaf.toHex();            // 64 lower-case hex digits
 * assert Digest256.fromHex(stored).equals(leaf);
 * }</pre>
 */
public final class Digest256 implements Comparable<Digest256> {
    /** Size of the value in bytes. */
    public static final int BYTES = 32;
    /** The digest of an empty node and the root of an empty tree: 32 zero bytes. */
    public static final Digest256 ZERO = new Digest256(0, 0, 0, 0);
    private static final HexFormat HEX = HexFormat.of();

    // w0 is the most significant word; bytes are big-endian across w0..w3.
    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;

    private Digest256(long w0, long w1, long w2, long w3) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
    }

    /** The value of 32 big-endian bytes (a SHA-256 output, or a digest read from a store). */
    public static Digest256 fromBytes(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("digest bytes must not be null");
        }
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a digest is " + BYTES + " bytes, got " + bytes.length);
        }
        return new Digest256(word(bytes, 0), word(bytes, 8), word(bytes, 16), word(bytes, 24));
    }

    /** The value of 64 hex digits (either case), as {@link #toHex()} writes it. */
    public static Digest256 fromHex(String hex) {
        if (hex == null) {
            throw new IllegalArgumentException("digest hex must not be null");
        }
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a digest is " + 2 * BYTES + " hex digits, got " + hex.length()
                    + " characters");
        }
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("digest hex has a non-hex character at index " + i);
            }
        }
        return fromBytes(HEX.parseHex(hex));
    }

    private static long word(byte[] b, int from) {
        long w = 0;
        for (int i = from; i < from + 8; i++) {
            w = (w << 8) | (b[i] & 0xffL);
        }
        return w;
    }

    /** {@code this + other mod 2^256}. */
    public Digest256 plus(Digest256 other) {
        Objects.requireNonNull(other, "other");
        long r3 = w3 + other.w3;
        long c = Long.compareUnsigned(r3, w3) < 0 ? 1 : 0;
        long s2 = w2 + other.w2;
        long r2 = s2 + c;
        c = carryOut(w2, s2, r2, c);
        long s1 = w1 + other.w1;
        long r1 = s1 + c;
        c = carryOut(w1, s1, r1, c);
        long r0 = w0 + other.w0 + c;
        return new Digest256(r0, r1, r2, r3);
    }

    // a + b overflowed iff the sum s is below a (unsigned); adding the carry in overflows only when s was all ones.
    private static long carryOut(long a, long s, long r, long carryIn) {
        boolean sumOverflow = Long.compareUnsigned(s, a) < 0;
        boolean carryOverflow = carryIn == 1 && r == 0;
        return sumOverflow || carryOverflow ? 1 : 0;
    }

    /** {@code this - other mod 2^256}. */
    public Digest256 minus(Digest256 other) {
        Objects.requireNonNull(other, "other");
        return plus(other.negate());
    }

    /** The additive inverse modulo 2^256 (two's complement over 256 bits). */
    public Digest256 negate() {
        long n3 = ~w3 + 1;
        long c = n3 == 0 ? 1 : 0;
        long n2 = ~w2 + c;
        c = (c == 1 && n2 == 0) ? 1 : 0;
        long n1 = ~w1 + c;
        c = (c == 1 && n1 == 0) ? 1 : 0;
        long n0 = ~w0 + c;
        return new Digest256(n0, n1, n2, n3);
    }

    public boolean isZero() {
        return (w0 | w1 | w2 | w3) == 0;
    }

    /** The 32 big-endian bytes (a new array). */
    public byte[] toBytes() {
        byte[] out = new byte[BYTES];
        writeTo(out, 0);
        return out;
    }

    /** Writes the 32 big-endian bytes into {@code target} at {@code offset}. */
    public void writeTo(byte[] target, int offset) {
        put(target, offset, w0);
        put(target, offset + 8, w1);
        put(target, offset + 16, w2);
        put(target, offset + 24, w3);
    }

    private static void put(byte[] b, int from, long w) {
        for (int i = 7; i >= 0; i--) {
            b[from + i] = (byte) w;
            w >>>= 8;
        }
    }

    /** 64 lower-case hex digits. */
    public String toHex() {
        return HEX.formatHex(toBytes());
    }

    /** Unsigned numeric order, which is also the order of the big-endian bytes. */
    @Override
    public int compareTo(Digest256 o) {
        int c = Long.compareUnsigned(w0, o.w0);
        if (c == 0) {
            c = Long.compareUnsigned(w1, o.w1);
        }
        if (c == 0) {
            c = Long.compareUnsigned(w2, o.w2);
        }
        return c != 0 ? c : Long.compareUnsigned(w3, o.w3);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest256 d && w0 == d.w0 && w1 == d.w1 && w2 == d.w2 && w3 == d.w3;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(w0 ^ w1 ^ w2 ^ w3);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
