package io.tiercache.engine.cuckoo;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit hash a filter places ids by: MurmurHash64A (Austin Appleby's public-domain algorithm) over the UTF-8
 * bytes of the id with a fixed seed. It is part of the snapshot format (a snapshot records the seed and is refused
 * by a build that hashes differently), so it must never change silently; {@code String.hashCode} would not do
 * because it is only 32 bits and not a format anyone promised.
 */
final class IdHash {
    /** Recorded in snapshots: "tiercach" in ASCII. */
    static final long SEED = 0x7469657263616368L;
    private static final long M = 0xc6a4a7935bd1e995L;
    private static final int R = 47;

    private IdHash() {
    }

    static long hash(String id) {
        byte[] data = id.getBytes(StandardCharsets.UTF_8);
        int length = data.length;
        long h = SEED ^ (length * M);
        int blocks = length / 8;
        for (int i = 0; i < blocks; i++) {
            int at = i * 8;
            long k = (data[at] & 0xffL) | (data[at + 1] & 0xffL) << 8 | (data[at + 2] & 0xffL) << 16
                    | (data[at + 3] & 0xffL) << 24 | (data[at + 4] & 0xffL) << 32 | (data[at + 5] & 0xffL) << 40
                    | (data[at + 6] & 0xffL) << 48 | (data[at + 7] & 0xffL) << 56;
            k *= M;
            k ^= k >>> R;
            k *= M;
            h ^= k;
            h *= M;
        }
        int tail = blocks * 8;
        int rest = length - tail;
        if (rest > 0) {
            for (int i = rest - 1; i >= 0; i--) {
                h ^= (data[tail + i] & 0xffL) << (8 * i);
            }
            h *= M;
        }
        h ^= h >>> R;
        h *= M;
        h ^= h >>> R;
        return h;
    }

    /** Murmur3's 64-bit finalizer: spreads a fingerprint over all bits to pick its alternate bucket. */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
