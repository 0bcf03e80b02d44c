package io.tiercache.engine.merkle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.BitSet;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A note's bucket set: the shorter of a sorted uint16 list and a 8 KiB bitmap, and nothing else decodes. */
public class BucketSetCodecTest {
    private static final int BITMAP_LENGTH = 1 + MerklePath.LEAF_COUNT / 8;

    @Test
    void aFewBucketsAreASortedBigEndianListIncludingTheBoundaries() {
        byte[] blob = BucketSetCodec.encode(bits(65535, 0, 0x7c1e));
        assertThat(blob).containsExactly(0, 0x00, 0x00, 0x7c, 0x1e, 0xff, 0xff);
        assertThat(BucketSetCodec.decode(blob)).isEqualTo(bits(0, 0x7c1e, 65535));
    }

    @Test
    void theEmptySetIsTheListTagAlone() {
        assertThat(BucketSetCodec.encode(new BitSet())).containsExactly(0);
        assertThat(BucketSetCodec.decode(new byte[]{0})).isEqualTo(new BitSet());
    }

    @Test
    void manyBucketsAreABitmapLeastSignificantBitFirst() {
        BitSet all = new BitSet();
        all.set(0, MerklePath.LEAF_COUNT);
        byte[] blob = BucketSetCodec.encode(all);
        assertThat(blob).hasSize(BITMAP_LENGTH);
        assertThat(blob[0]).isEqualTo((byte) 1);
        assertThat(BucketSetCodec.decode(blob)).isEqualTo(all);

        byte[] ends = new byte[BITMAP_LENGTH];
        ends[0] = 1;
        ends[1] = 0x01;
        ends[BITMAP_LENGTH - 1] = (byte) 0x80;
        assertThat(BucketSetCodec.decode(ends)).isEqualTo(bits(0, 65535));
    }

    /** A list of n buckets takes 1 + 2n bytes, the bitmap 8,193: the list up to 4,096 buckets, the bitmap above. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 100, 4_095, 4_096, 4_097, 9_300, 40_000, 65_535})
    void eachSizeTakesTheShorterFormatAndDecodesToTheSameSet(int size) {
        Random random = new Random(size);
        BitSet buckets = new BitSet();
        buckets.set(65535);
        if (size > 1) {
            buckets.set(0);
        }
        while (buckets.cardinality() < size) {
            buckets.set(random.nextInt(MerklePath.LEAF_COUNT));
        }
        byte[] blob = BucketSetCodec.encode(buckets);
        boolean list = size <= 4_096;
        assertThat(blob[0]).as("format tag").isEqualTo((byte) (list ? 0 : 1));
        assertThat(blob).hasSize(list ? 1 + 2 * size : BITMAP_LENGTH);
        assertThat(BucketSetCodec.decode(blob)).isEqualTo(buckets);
    }

    @Test
    void eitherFormatDecodesWhateverTheSetsSize() {
        byte[] bitmap = new byte[BITMAP_LENGTH];
        bitmap[0] = 1;
        bitmap[1 + 0x7c1e / 8] = (byte) (1 << (0x7c1e % 8));
        assertThat(BucketSetCodec.decode(bitmap)).isEqualTo(bits(0x7c1e));
    }

    @Test
    void aBucketOutsideTheTreeIsRefusedWhenEncoding() {
        assertThatThrownBy(() -> BucketSetCodec.encode(bits(3, MerklePath.LEAF_COUNT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536 is out of range 0..65535");
    }

    @Test
    void whatIsNotExactlyOneOfTheTwoShapesIsRefused() {
        assertRefused(null, "no format tag");
        assertRefused(new byte[0], "no format tag");
        assertRefused(new byte[]{2, 0, 1}, "unknown format tag 2");
        assertRefused(new byte[]{(byte) 0xff}, "unknown format tag 255");
        assertRefused(new byte[]{0, 0, 1, 2}, "odd length of 3 bytes");
        assertRefused(new byte[]{0, 0, 5, 0, 3}, "not strictly increasing: 3 after 5");
        assertRefused(new byte[]{0, 0, 5, 0, 5}, "not strictly increasing: 5 after 5");
        assertRefused(new byte[]{1}, "bitmap has 0 bytes, not 8192");
        assertRefused(withTag(1, 8_191), "bitmap has 8191 bytes, not 8192");
        assertRefused(withTag(1, 8_193), "bitmap has 8193 bytes, not 8192");
    }

    private static void assertRefused(byte[] blob, String why) {
        assertThatThrownBy(() -> BucketSetCodec.decode(blob)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why);
    }

    /** A blob of {@code length} zero bytes after the format tag {@code tag} (also for the L3 merkle contract). */
    public static byte[] withTag(int tag, int length) {
        byte[] blob = new byte[1 + length];
        blob[0] = (byte) tag;
        return blob;
    }

    public static BitSet bits(int... buckets) {
        BitSet out = new BitSet();
        for (int b : buckets) {
            out.set(b);
        }
        return out;
    }
}
