package io.tiercache.engine.cuckoo;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The snapshot format, version 1, all integers big-endian:
 *
 * <pre>
 *  offset size  field
 *       0    4  magic "TCCF"
 *       4    2  format version (1)
 *       6    1  fingerprint bits (4..16)
 *       7    1  slots per bucket (4)
 *       8    8  id hash seed (must equal this build's)
 *      16    4  bucket count
 *      20    4  max kicks
 *      24    8  stored fingerprints
 *      32    1  flags: bit 0 = needs rebuild
 *      33    2  merkle root length n (64)
 *      35    n  merkle root, lower-case hex ASCII
 *    35+n  8×B  slots, 2 bytes each (0 = empty), B = bucket count
 *     end    4  CRC32C of every byte before it
 * </pre>
 *
 * Header fields are checked as they are read, before the table is allocated, so a hostile length cannot make the
 * reader allocate gigabytes; the checksum and the slot count are checked after.
 */
final class SnapshotCodec {
    static final int MAGIC = 0x54434346; // "TCCF"
    static final int FORMAT_VERSION = 1;
    private static final int ROOT_HEX_LENGTH = 64;

    private SnapshotCodec() {
    }

    static void write(OutputStream target, String merkleRoot, int fingerprintBits, int buckets, int maxKicks,
                      long size, boolean needsRebuild, short[] slots) throws IOException {
        if (target == null) {
            throw new IllegalArgumentException("output stream must not be null");
        }
        requireRoot(merkleRoot);
        CRC32C crc = new CRC32C();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
                new BufferedOutputStream(nonClosing(target), 1 << 16), crc));
        out.writeInt(MAGIC);
        out.writeShort(FORMAT_VERSION);
        out.writeByte(fingerprintBits);
        out.writeByte(CuckooFilter.SLOTS_PER_BUCKET);
        out.writeLong(IdHash.SEED);
        out.writeInt(buckets);
        out.writeInt(maxKicks);
        out.writeLong(size);
        out.writeByte(needsRebuild ? 1 : 0);
        byte[] root = merkleRoot.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        out.writeShort(root.length);
        out.write(root);
        byte[] table = new byte[slots.length * 2];
        for (int i = 0; i < slots.length; i++) {
            table[2 * i] = (byte) (slots[i] >>> 8);
            table[2 * i + 1] = (byte) slots[i];
        }
        out.write(table);
        out.flush();
        // The checksum itself is outside what it covers.
        DataOutputStream tail = new DataOutputStream(nonClosing(target));
        tail.writeInt((int) crc.getValue());
        tail.flush();
    }

    static CuckooSnapshot read(InputStream source) throws IOException {
        if (source == null) {
            throw new IllegalArgumentException("input stream must not be null");
        }
        // Unbuffered on purpose: the reader stops exactly at the snapshot's end, so it can sit inside a larger stream.
        CRC32C crc = new CRC32C();
        DataInputStream in = new DataInputStream(new CheckedInputStream(source, crc));
        try {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new CorruptSnapshotException(String.format(
                        "not a cuckoo filter snapshot: magic 0x%08x, expected 0x%08x (\"TCCF\")", magic, MAGIC));
            }
            int version = in.readUnsignedShort();
            if (version != FORMAT_VERSION) {
                throw new CorruptSnapshotException("snapshot format version " + version + ", this build reads "
                        + FORMAT_VERSION);
            }
            int bits = in.readUnsignedByte();
            if (bits < CuckooFilter.MIN_FINGERPRINT_BITS || bits > CuckooFilter.MAX_FINGERPRINT_BITS) {
                throw new CorruptSnapshotException("snapshot has " + bits + " fingerprint bits, outside "
                        + CuckooFilter.MIN_FINGERPRINT_BITS + ".." + CuckooFilter.MAX_FINGERPRINT_BITS);
            }
            int perBucket = in.readUnsignedByte();
            if (perBucket != CuckooFilter.SLOTS_PER_BUCKET) {
                throw new CorruptSnapshotException("snapshot has " + perBucket + " slots per bucket, this build uses "
                        + CuckooFilter.SLOTS_PER_BUCKET);
            }
            long seed = in.readLong();
            if (seed != IdHash.SEED) {
                throw new CorruptSnapshotException(String.format(
                        "snapshot hashed ids with seed 0x%016x, this build uses 0x%016x", seed, IdHash.SEED));
            }
            int buckets = in.readInt();
            if (buckets < 1 || (long) buckets * CuckooFilter.SLOTS_PER_BUCKET > CuckooFilter.MAX_CAPACITY) {
                throw new CorruptSnapshotException("snapshot claims " + buckets + " buckets, outside 1.."
                        + CuckooFilter.MAX_CAPACITY / CuckooFilter.SLOTS_PER_BUCKET);
            }
            int maxKicks = in.readInt();
            if (maxKicks < 1 || maxKicks > 100_000) {
                throw new CorruptSnapshotException("snapshot claims maxKicks " + maxKicks + ", outside 1..100000");
            }
            long size = in.readLong();
            long capacity = (long) buckets * CuckooFilter.SLOTS_PER_BUCKET;
            if (size < 0 || size > capacity) {
                throw new CorruptSnapshotException("snapshot claims " + size + " fingerprints in " + capacity
                        + " slots");
            }
            int flags = in.readUnsignedByte();
            if ((flags & ~1) != 0) {
                throw new CorruptSnapshotException(String.format("snapshot has unknown flags 0x%02x", flags));
            }
            int rootLength = in.readUnsignedShort();
            if (rootLength != ROOT_HEX_LENGTH) {
                throw new CorruptSnapshotException("snapshot merkle root is " + rootLength + " bytes, expected "
                        + ROOT_HEX_LENGTH);
            }
            byte[] rootBytes = new byte[rootLength];
            in.readFully(rootBytes);
            String root = new String(rootBytes, StandardCharsets.US_ASCII);
            if (!isLowerHex(root)) {
                throw new CorruptSnapshotException("snapshot merkle root is not lower-case hex");
            }
            byte[] table = new byte[(int) (capacity * 2)];
            in.readFully(table);
            int expectedCrc = (int) crc.getValue();
            int storedCrc = new DataInputStream(source).readInt();
            if (storedCrc != expectedCrc) {
                throw new CorruptSnapshotException(String.format(
                        "snapshot checksum mismatch: stored 0x%08x, computed 0x%08x", storedCrc, expectedCrc));
            }
            short[] slots = decodeSlots(table, bits, size);
            return new CuckooSnapshot(CuckooFilter.restore(bits, buckets, maxKicks, slots, size, (flags & 1) != 0),
                    root);
        } catch (EOFException e) {
            throw new CorruptSnapshotException("snapshot is truncated (ended early)", e);
        }
    }

    private static short[] decodeSlots(byte[] table, int bits, long size) throws CorruptSnapshotException {
        short[] slots = new short[table.length / 2];
        int limit = (1 << bits) - 1;
        long used = 0;
        for (int i = 0; i < slots.length; i++) {
            int fp = ((table[2 * i] & 0xff) << 8) | (table[2 * i + 1] & 0xff);
            if (fp > limit) {
                throw new CorruptSnapshotException("slot " + i + " holds " + fp + ", beyond " + bits + " bits");
            }
            if (fp != 0) {
                used++;
            }
            slots[i] = (short) fp;
        }
        if (used != size) {
            throw new CorruptSnapshotException("snapshot claims " + size + " fingerprints but holds " + used);
        }
        return slots;
    }

    private static void requireRoot(String root) {
        if (root == null || root.length() != ROOT_HEX_LENGTH || !isLowerHex(root.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("merkle root must be " + ROOT_HEX_LENGTH + " hex digits, got "
                    + (root == null ? "null" : root.length() + " characters"));
        }
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    // The caller owns the stream: closing or buffering wrappers must not close it.
    private static OutputStream nonClosing(OutputStream target) {
        return new java.io.FilterOutputStream(target) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
