package io.tiercache.engine.cuckoo;

/**
 * The fingerprint slots of a {@link CuckooFilter} and the cuckoo moves on them. Not thread-safe: the filter calls it
 * under its lock (lookups may read it optimistically and validate afterwards).
 *
 * <p>Slots are 16-bit, 4 per bucket, 0 meaning empty. A fingerprint in bucket {@code i} has its other bucket at
 * {@code (H(fp) - i) mod buckets}, which is its own inverse, so any bucket count works.
 */
final class BucketTable {
    static final int SLOTS_PER_BUCKET = 4;

    private final int buckets;
    private final int maxKicks;
    private final short[] slots;
    private final int[] kickBuckets;
    private final int[] kickSlots;
    // Only the choice of victim is random; a fixed seed keeps a filter's behaviour reproducible.
    private long random = 0x9e3779b97f4a7c15L;

    BucketTable(int buckets, int maxKicks, short[] slots) {
        this.buckets = buckets;
        this.maxKicks = maxKicks;
        this.slots = slots;
        this.kickBuckets = new int[maxKicks];
        this.kickSlots = new int[maxKicks];
    }

    int buckets() {
        return buckets;
    }

    int maxKicks() {
        return maxKicks;
    }

    short[] copyOfSlots() {
        return slots.clone();
    }

    int alternate(int bucket, int fp) {
        long target = Long.remainderUnsigned(IdHash.mix(fp), buckets);
        return (int) Math.floorMod(target - bucket, (long) buckets);
    }

    /** Stores {@code fp} in bucket {@code i1} or its alternate, evicting if needed; false leaves the table as it was. */
    boolean insert(int i1, int fp) {
        return insertInto(i1, fp) || insertInto(alternate(i1, fp), fp) || kickIn(i1, fp);
    }

    /** Clears one slot holding {@code fp} in either bucket. */
    boolean delete(int i1, int fp) {
        return deleteFrom(i1, fp) || deleteFrom(alternate(i1, fp), fp);
    }

    boolean contains(int i1, int i2, int fp) {
        return holds(i1, fp) || holds(i2, fp);
    }

    // Evicts fingerprints along a random walk; on failure replays the walk backwards so no member is lost.
    private boolean kickIn(int start, int fp) {
        int bucket = (nextRandom() & 1) == 0 ? start : alternate(start, fp);
        int carried = fp;
        for (int k = 0; k < maxKicks; k++) {
            int slot = nextRandom() & (SLOTS_PER_BUCKET - 1);
            int at = bucket * SLOTS_PER_BUCKET + slot;
            int evicted = slots[at] & 0xffff;
            slots[at] = (short) carried;
            kickBuckets[k] = bucket;
            kickSlots[k] = slot;
            carried = evicted;
            bucket = alternate(bucket, carried);
            if (insertInto(bucket, carried)) {
                return true;
            }
        }
        for (int k = maxKicks - 1; k >= 0; k--) {
            int at = kickBuckets[k] * SLOTS_PER_BUCKET + kickSlots[k];
            int placed = slots[at] & 0xffff;
            slots[at] = (short) carried;
            carried = placed;
        }
        return false;
    }

    private boolean insertInto(int bucket, int fp) {
        int base = bucket * SLOTS_PER_BUCKET;
        for (int s = 0; s < SLOTS_PER_BUCKET; s++) {
            if (slots[base + s] == 0) {
                slots[base + s] = (short) fp;
                return true;
            }
        }
        return false;
    }

    private boolean deleteFrom(int bucket, int fp) {
        int base = bucket * SLOTS_PER_BUCKET;
        for (int s = 0; s < SLOTS_PER_BUCKET; s++) {
            if ((slots[base + s] & 0xffff) == fp) {
                slots[base + s] = 0;
                return true;
            }
        }
        return false;
    }

    private boolean holds(int bucket, int fp) {
        int base = bucket * SLOTS_PER_BUCKET;
        return (slots[base] & 0xffff) == fp || (slots[base + 1] & 0xffff) == fp
                || (slots[base + 2] & 0xffff) == fp || (slots[base + 3] & 0xffff) == fp;
    }

    private int nextRandom() {
        random ^= random << 13;
        random ^= random >>> 7;
        random ^= random << 17;
        return (int) (random >>> 32);
    }
}
