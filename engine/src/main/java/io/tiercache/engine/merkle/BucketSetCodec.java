package io.tiercache.engine.merkle;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The bytes a set of leaf bucket indexes (0..65535) is stored as in a note of {@code merkle_notes}: a format tag,
 * then either {@code 0}: the indexes as big-endian uint16, strictly increasing (2 bytes each), or {@code 1}: a bitmap
 * of all {@value MerklePath#LEAF_COUNT} leaves, bit {@code i} being bit {@code i % 8} (least significant first) of
 * byte {@code i / 8} (8 KiB). {@link #encode} picks the shorter, so a batch of a few ids writes a few bytes and one
 * of 10,000 ids at most 8 KiB.
 *
 * <p>{@link #decode} accepts either format whatever the set's size, but nothing else: what it reads comes back from a
 * database that anything may have written to, so any blob that is not exactly one of the two shapes is refused.
 *
 * <pre>{@code
 * byte[] note = BucketSetCodec.encode(buckets);   // [0, 0x7c, 0x1e] for the single leaf "7c1e"
 * BitSet back = BucketSetCodec.decode(note);      // equal to buckets
 * }</pre>
 */
final class BucketSetCodec {
    static final byte LIST = 0;
    static final byte BITMAP = 1;
    static final int BITMAP_BYTES = MerklePath.LEAF_COUNT / 8;

    private BucketSetCodec() {
    }

    /** The shorter encoding of {@code buckets}, whose set bits must all be below {@value MerklePath#LEAF_COUNT}. */
    static byte[] encode(BitSet buckets) {
        if (buckets.length() > MerklePath.LEAF_COUNT) {
            throw new IllegalArgumentException("leaf bucket " + (buckets.length() - 1) + " is out of range 0.."
                    + (MerklePath.LEAF_COUNT - 1));
        }
        int count = buckets.cardinality();
        if (2 * count > BITMAP_BYTES) {
            byte[] out = new byte[1 + BITMAP_BYTES];
            out[0] = BITMAP;
            byte[] bits = buckets.toByteArray();
            System.arraycopy(bits, 0, out, 1, bits.length);
            return out;
        }
        byte[] out = new byte[1 + 2 * count];
        out[0] = LIST;
        int at = 1;
        for (int b = buckets.nextSetBit(0); b >= 0; b = buckets.nextSetBit(b + 1)) {
            out[at++] = (byte) (b >>> 8);
            out[at++] = (byte) b;
        }
        return out;
    }

    /** The set {@code blob} encodes; {@link IllegalArgumentException} naming the defect if it is not an encoding. */
    static BitSet decode(byte[] blob) {
        if (blob == null || blob.length == 0) {
            throw new IllegalArgumentException("bucket set is empty (no format tag)");
        }
        return switch (blob[0]) {
            case LIST -> decodeList(blob);
            case BITMAP -> {
                if (blob.length != 1 + BITMAP_BYTES) {
                    throw new IllegalArgumentException("bucket bitmap has " + (blob.length - 1) + " bytes, not "
                            + BITMAP_BYTES);
                }
                yield BitSet.valueOf(Arrays.copyOfRange(blob, 1, blob.length));
            }
            default -> throw new IllegalArgumentException("bucket set has unknown format tag " + (blob[0] & 0xff));
        };
    }

    private static BitSet decodeList(byte[] blob) {
        if ((blob.length - 1) % 2 != 0) {
            throw new IllegalArgumentException("bucket list has an odd length of " + (blob.length - 1) + " bytes");
        }
        BitSet out = new BitSet(MerklePath.LEAF_COUNT);
        int previous = -1;
        for (int at = 1; at < blob.length; at += 2) {
            int bucket = ((blob[at] & 0xff) << 8) | (blob[at + 1] & 0xff);
            if (bucket <= previous) {
                throw new IllegalArgumentException("bucket list is not strictly increasing: " + bucket + " after "
                        + previous);
            }
            out.set(bucket);
            previous = bucket;
        }
        return out;
    }
}
