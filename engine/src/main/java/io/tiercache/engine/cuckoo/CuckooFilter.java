package io.tiercache.engine.cuckoo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.locks.StampedLock;

/**
 * A cuckoo filter with deletes (Fan, Andersen, Kaminsky, Mitzenmacher, "Cuckoo Filter: Practically Better Than
 * Bloom", CoNEXT 2014): the set of ids L3 holds, so a read that missed L1 and L2 can skip L3 when the id is
 * definitely not there.
 *
 * <p><b>Layout.</b> Buckets of 4 fingerprints of 4..16 bits (stored in 16-bit slots; 0 means empty). An id's hash
 * gives its fingerprint and first bucket {@code i1}; its second bucket is {@code i2 = (H(fp) - i1) mod buckets},
 * which is its own inverse, so a fingerprint can be moved between its two buckets knowing only itself and where it
 * is (partial-key cuckoo hashing) and the bucket count need not be a power of two. An insert into two full buckets
 * evicts a random fingerprint to its other bucket, up to {@code maxKicks} times.
 *
 * <p><b>Members are a multiset.</b> Adding an id twice stores two fingerprints; it stays a member until it is removed
 * as often as it was added (at most 8 copies fit, 4 if both buckets coincide). This is the only safe meaning with
 * deletes: skipping an add because {@link #mightContain} already says yes could mean a colliding id answered, and
 * removing that id later would make the skipped one vanish. So the caller adds an id when it becomes present in the
 * ground truth and removes it only when it leaves; removing an id that was never added may remove another id's
 * fingerprint and is a caller bug the filter cannot detect.
 *
 * <p><b>When full</b>, {@link #add} gives up after {@code maxKicks} evictions, undoes every eviction it made (so no
 * member is ever displaced out of the filter) and returns false. The filter then {@link #needsRebuild()}: the
 * refused id is present in the ground truth but not in the filter, so from then on {@link #mightContain} answers true
 * for every id (the filter stops filtering rather than lie) until the caller builds a larger one.
 *
 * <p><b>Thread safety.</b> One {@link StampedLock}: adds and removes take it exclusively, lookups read optimistically
 * and retry under the read lock only if a writer interfered. Lock striping was rejected because one insert's eviction
 * chain can touch up to {@code maxKicks} buckets anywhere in the table, which stripes would have to lock in order;
 * writers are the engine's flusher and warm-up, and lookups (the hot path) never block each other.
 *
 * <pre>{@code
 * CuckooFilter filter = CuckooFilter.create(1_000_000, 12);
 * filter.add("users/42");
 * if (filter.definitelyMissing("users/43")) {
 *     return Optional.empty();                       // no L3 round trip
 * }
 * filter.writeTo(out, l3Root.toHex());               // snapshot, stamped with the L3 merkle root
 * CuckooSnapshot snap = CuckooFilter.readFrom(in);
 * CuckooFilter warm = snap.trustedAt(l3RootNow.toHex()) ? snap.filter() : rebuildFromL3();
 * }</pre>
 */
public final class CuckooFilter {
    /** Fingerprints per bucket (b in the paper; 4 gives 95% occupancy). */
    public static final int SLOTS_PER_BUCKET = 4;
    public static final int MIN_FINGERPRINT_BITS = 4;
    public static final int MAX_FINGERPRINT_BITS = 16;
    /** Largest capacity in slots (2 GiB of slots would not be a cache's side structure any more). */
    public static final long MAX_CAPACITY = 1L << 30;
    /** Evictions tried before an insert is refused; the paper's value. */
    public static final int DEFAULT_MAX_KICKS = 500;

    private final int fingerprintBits;
    private final int fingerprintRange;
    private final int buckets;
    private final int maxKicks;
    private final short[] slots;
    private final StampedLock lock = new StampedLock();
    private long size;
    private boolean needsRebuild;
    private long random = 0x9e3779b97f4a7c15L;
    private final int[] kickBuckets;
    private final int[] kickSlots;

    private CuckooFilter(int fingerprintBits, int buckets, int maxKicks, short[] slots, long size,
                         boolean needsRebuild) {
        this.fingerprintBits = fingerprintBits;
        this.fingerprintRange = (1 << fingerprintBits) - 1;
        this.buckets = buckets;
        this.maxKicks = maxKicks;
        this.slots = slots;
        this.size = size;
        this.needsRebuild = needsRebuild;
        this.kickBuckets = new int[maxKicks];
        this.kickSlots = new int[maxKicks];
    }

    /** An empty filter of at least {@code capacity} slots with {@link #DEFAULT_MAX_KICKS}. */
    public static CuckooFilter create(long capacity, int fingerprintBits) {
        return create(capacity, fingerprintBits, DEFAULT_MAX_KICKS);
    }

    /**
     * An empty filter of {@code capacity} slots rounded up to whole buckets of 4. Inserts start failing near 95%
     * load, so size it for the expected number of ids divided by about 0.9.
     */
    public static CuckooFilter create(long capacity, int fingerprintBits, int maxKicks) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in 1.." + MAX_CAPACITY + " slots, got " + capacity);
        }
        requireFingerprintBits(fingerprintBits);
        if (maxKicks < 1 || maxKicks > 100_000) {
            throw new IllegalArgumentException("maxKicks must be in 1..100000, got " + maxKicks);
        }
        int buckets = (int) ((capacity + SLOTS_PER_BUCKET - 1) / SLOTS_PER_BUCKET);
        return new CuckooFilter(fingerprintBits, buckets, maxKicks, new short[buckets * SLOTS_PER_BUCKET], 0, false);
    }

    static void requireFingerprintBits(int bits) {
        if (bits < MIN_FINGERPRINT_BITS || bits > MAX_FINGERPRINT_BITS) {
            throw new IllegalArgumentException("fingerprint bits must be in " + MIN_FINGERPRINT_BITS + ".."
                    + MAX_FINGERPRINT_BITS + ", got " + bits);
        }
    }

    /** Rebuilds a filter from a snapshot's decoded fields (the codec has validated them). */
    static CuckooFilter restore(int fingerprintBits, int buckets, int maxKicks, short[] slots, long size,
                                boolean needsRebuild) {
        return new CuckooFilter(fingerprintBits, buckets, maxKicks, slots, size, needsRebuild);
    }

    /**
     * Adds one copy of {@code id}. Returns false, leaving every existing member in place, when no room was found
     * within {@code maxKicks} evictions; the filter then {@link #needsRebuild()}.
     */
    public boolean add(String id) {
        long h = hashOf(id);
        int fp = fingerprint(h);
        int i1 = firstBucket(h);
        long stamp = lock.writeLock();
        try {
            if (insertInto(i1, fp) || insertInto(alternate(i1, fp), fp)) {
                size++;
                return true;
            }
            if (kickIn(i1, fp)) {
                size++;
                return true;
            }
            needsRebuild = true;
            return false;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    // Evicts fingerprints along a random walk; on failure replays the walk backwards so the table is as before.
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

    /**
     * Removes one copy of {@code id}; returns whether a matching fingerprint was found. Only remove ids that were
     * added (see the class comment).
     */
    public boolean remove(String id) {
        long h = hashOf(id);
        int fp = fingerprint(h);
        int i1 = firstBucket(h);
        long stamp = lock.writeLock();
        try {
            if (deleteFrom(i1, fp) || deleteFrom(alternate(i1, fp), fp)) {
                size--;
                return true;
            }
            return false;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Whether {@code id} may be a member: false only for ids never added (or added and removed as often). Always
     * true while the filter {@link #needsRebuild()}.
     */
    public boolean mightContain(String id) {
        long h = hashOf(id);
        int fp = fingerprint(h);
        int i1 = firstBucket(h);
        int i2 = alternate(i1, fp);
        long stamp = lock.tryOptimisticRead();
        boolean found = needsRebuild || holds(i1, fp) || holds(i2, fp);
        if (lock.validate(stamp)) {
            return found;
        }
        stamp = lock.readLock();
        try {
            return needsRebuild || holds(i1, fp) || holds(i2, fp);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** {@code !mightContain(id)}: true means the ground truth does not hold {@code id}, no need to ask it. */
    public boolean definitelyMissing(String id) {
        return !mightContain(id);
    }

    /** Whether a fingerprint of {@code id} is stored, ignoring {@link #needsRebuild()} (for tests of the table). */
    boolean stores(String id) {
        long h = hashOf(id);
        int fp = fingerprint(h);
        int i1 = firstBucket(h);
        long stamp = lock.readLock();
        try {
            return holds(i1, fp) || holds(alternate(i1, fp), fp);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Fingerprints stored (an id added twice counts twice). */
    public long size() {
        long stamp = lock.readLock();
        try {
            return size;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Slots in the table: buckets × 4. */
    public long capacity() {
        return (long) buckets * SLOTS_PER_BUCKET;
    }

    /** {@link #size()} / {@link #capacity()}. */
    public double loadFactor() {
        return (double) size() / capacity();
    }

    /** True once an {@link #add} was refused: the filter answers "might contain" for everything until replaced. */
    public boolean needsRebuild() {
        long stamp = lock.readLock();
        try {
            return needsRebuild;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public int fingerprintBits() {
        return fingerprintBits;
    }

    public int maxKicks() {
        return maxKicks;
    }

    /**
     * Writes a snapshot of the filter stamped with {@code merkleRootHex}, the L3 merkle root it reflects (64 hex
     * digits). The table is copied under the read lock, so writers wait only for the copy, not for the stream.
     */
    public void writeTo(OutputStream out, String merkleRootHex) throws IOException {
        short[] copy;
        long copiedSize;
        boolean copiedNeedsRebuild;
        long stamp = lock.readLock();
        try {
            copy = slots.clone();
            copiedSize = size;
            copiedNeedsRebuild = needsRebuild;
        } finally {
            lock.unlockRead(stamp);
        }
        SnapshotCodec.write(out, merkleRootHex, fingerprintBits, buckets, maxKicks, copiedSize, copiedNeedsRebuild,
                copy);
    }

    /** Reads a snapshot written by {@link #writeTo}; a truncated, corrupt or foreign one is refused. */
    public static CuckooSnapshot readFrom(InputStream in) throws IOException {
        return SnapshotCodec.read(in);
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

    private static long hashOf(String id) {
        if (id == null) {
            throw new IllegalArgumentException("id must not be null");
        }
        return IdHash.hash(id);
    }

    // 1..2^bits-1 from the high half of the hash, so it is independent of the bucket taken from the low half.
    private int fingerprint(long h) {
        return 1 + (int) Long.remainderUnsigned(h >>> 32, fingerprintRange);
    }

    private int firstBucket(long h) {
        return (int) Long.remainderUnsigned(h & 0xffffffffL, buckets);
    }

    private int alternate(int bucket, int fp) {
        long target = Long.remainderUnsigned(IdHash.mix(fp), buckets);
        return (int) Math.floorMod(target - bucket, (long) buckets);
    }

    private int nextRandom() {
        random ^= random << 13;
        random ^= random >>> 7;
        random ^= random << 17;
        return (int) (random >>> 32);
    }

    @Override
    public String toString() {
        return "CuckooFilter{size=" + size() + ", capacity=" + capacity() + ", fingerprintBits=" + fingerprintBits
                + (needsRebuild() ? ", needsRebuild" : "") + "}";
    }
}
