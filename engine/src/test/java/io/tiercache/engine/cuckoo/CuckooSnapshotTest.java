package io.tiercache.engine.cuckoo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CuckooSnapshotTest {
    private static final String ROOT = "3a".repeat(32);

    @Test
    void aSnapshotRoundTripsWithItsMerkleRoot() throws IOException {
        CuckooFilter filter = CuckooFilter.create(20_000, 14, 300);
        for (int n = 0; n < 15_000; n++) {
            filter.add("users/" + n);
        }
        filter.add("users/1");
        CuckooSnapshot snap = CuckooFilter.readFrom(new ByteArrayInputStream(snapshot(filter, ROOT)));
        CuckooFilter copy = snap.filter();

        assertThat(snap.merkleRoot()).isEqualTo(ROOT);
        assertThat(snap.trustedAt(ROOT)).isTrue();
        assertThat(snap.trustedAt(ROOT.toUpperCase())).isTrue();
        assertThat(snap.trustedAt("3b".repeat(32))).isFalse();
        assertThat(snap.trustedAt(null)).isFalse();
        assertThat(copy.size()).isEqualTo(filter.size());
        assertThat(copy.capacity()).isEqualTo(filter.capacity());
        assertThat(copy.fingerprintBits()).isEqualTo(14);
        assertThat(copy.maxKicks()).isEqualTo(300);
        for (int n = 0; n < 30_000; n++) {
            assertThat(copy.mightContain("users/" + n)).isEqualTo(filter.mightContain("users/" + n));
        }
        assertThat(copy.remove("users/1")).isTrue();
        assertThat(copy.mightContain("users/1")).isTrue();
    }

    @Test
    void theNeedsRebuildFlagSurvivesASnapshot() throws IOException {
        CuckooFilter full = CuckooFilter.create(8, 4, 10);
        for (int n = 0; full.add("id-" + n); n++) {
            assertThat(n).isLessThan(100);
        }
        CuckooFilter copy = CuckooFilter.readFrom(new ByteArrayInputStream(snapshot(full, ROOT))).filter();
        assertThat(copy.needsRebuild()).isTrue();
        assertThat(copy.definitelyMissing("anything")).isFalse();
    }

    @Test
    void theReaderStopsAtTheSnapshotsEnd() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CuckooFilter filter = CuckooFilter.create(100, 12);
        filter.add("x");
        filter.writeTo(out, ROOT);
        out.write("trailer".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(CuckooFilter.readFrom(in).filter().mightContain("x")).isTrue();
        assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("trailer");
    }

    @Test
    void everyTruncationIsRefused() throws IOException {
        byte[] bytes = snapshot(smallFilter(), ROOT);
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> CuckooFilter.readFrom(new ByteArrayInputStream(cut)))
                    .as("cut at %d of %d", length, bytes.length)
                    .isInstanceOf(CorruptSnapshotException.class);
        }
        assertThatThrownBy(() -> CuckooFilter.readFrom(new ByteArrayInputStream(Arrays.copyOf(bytes, 40))))
                .hasMessageContaining("truncated");
    }

    @Test
    void everySingleBitFlipIsRefused() throws IOException {
        byte[] bytes = snapshot(smallFilter(), ROOT);
        for (int at = 0; at < bytes.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = bytes.clone();
                flipped[at] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> CuckooFilter.readFrom(new ByteArrayInputStream(flipped)))
                        .as("bit %d of byte %d", bit, at).isInstanceOf(CorruptSnapshotException.class);
            }
        }
        byte[] tableFlip = bytes.clone();
        tableFlip[bytes.length - 10] ^= 1;
        assertThatThrownBy(() -> CuckooFilter.readFrom(new ByteArrayInputStream(tableFlip)))
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void foreignOrIncompatibleHeadersAreNamed() {
        assertThatThrownBy(() -> CuckooFilter.readFrom(header(0x12345678, 1, IdHash.SEED, 4)))
                .isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("not a cuckoo filter snapshot");
        assertThatThrownBy(() -> CuckooFilter.readFrom(header(SnapshotCodec.MAGIC, 2, IdHash.SEED, 4)))
                .hasMessageContaining("format version 2, this build reads 1");
        assertThatThrownBy(() -> CuckooFilter.readFrom(header(SnapshotCodec.MAGIC, 1, 42L, 4)))
                .hasMessageContaining("seed");
        assertThatThrownBy(() -> CuckooFilter.readFrom(header(SnapshotCodec.MAGIC, 1, IdHash.SEED, Integer.MAX_VALUE)))
                .hasMessageContaining("buckets");
    }

    @Test
    void badArgumentsAreRefused() {
        CuckooFilter filter = smallFilter();
        assertThatThrownBy(() -> filter.writeTo(new ByteArrayOutputStream(), "abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> filter.writeTo(new ByteArrayOutputStream(), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> filter.writeTo(null, ROOT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CuckooFilter.readFrom(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CuckooSnapshot(filter, "ABC")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CuckooSnapshot(null, ROOT)).isInstanceOf(IllegalArgumentException.class);
    }

    private static CuckooFilter smallFilter() {
        CuckooFilter filter = CuckooFilter.create(16, 12);
        filter.add("a");
        filter.add("b");
        return filter;
    }

    private static byte[] snapshot(CuckooFilter filter, String root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        filter.writeTo(out, root);
        return out.toByteArray();
    }

    private static InputStream header(int magic, int version, long seed, int buckets) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeShort(version);
        out.writeByte(12);
        out.writeByte(4);
        out.writeLong(seed);
        out.writeInt(buckets);
        out.write(new byte[64]);
        return new ByteArrayInputStream(bytes.toByteArray());
    }
}
