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
    public static final int SLOTS_PER_BUCKET = BucketTable.SLOTS_PER_BUCKET;
    public static final int MIN_FINGERPRINT_BITS = 4;
    public static final int MAX_FINGERPRINT_BITS = 16;
    /** Largest capacity in slots (2 GiB of slots would not be a cache's side structure any more). */
    public static final long MAX_CAPACITY = 1L << 30;
    /** Evictions tried before an insert is refused; the paper's value. */
    public static final int DEFAULT_MAX_KICKS = 500;

    private final int fingerprintBits;
    private final int fingerprintRange;
    private final BucketTable table;
    private final StampedLock lock = new StampedLock();
    private long size;
    private boolean needsRebuild;

    private CuckooFilter(int fingerprintBits, int buckets, int maxKicks, short[] slots, long size,
                         boolean needsRebuild) {
        this.fingerprintBits = fingerprintBits;
        this.fingerprintRange = (1 << fingerprintBits) - 1;
        this.table = new BucketTable(buckets, maxKicks, slots);
        this.size = size;
        this.needsRebuild = needsRebuild;
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

    /**
     * An empty filter with room for {@code expectedItems} ids at 90% load, below the ~95% where inserts start to be
     * refused, so warm-up from L3 does not fail on a namespace of the expected size.
     */
    public static CuckooFilter forExpectedItems(long expectedItems, int fingerprintBits) {
        if (expectedItems < 1) {
            throw new IllegalArgumentException("expectedItems must be at least 1, got " + expectedItems);
        }
        return create((long) Math.ceil(expectedItems / 0.9), fingerprintBits);
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
            if (table.insert(i1, fp)) {
                size++;
                return true;
            }
            needsRebuild = true;
            return false;
        } finally {
            lock.unlockWrite(stamp);
        }
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
            if (table.delete(i1, fp)) {
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
        int i2 = table.alternate(i1, fp);
        long stamp = lock.tryOptimisticRead();
        boolean found = needsRebuild || table.contains(i1, i2, fp);
        if (lock.validate(stamp)) {
            return found;
        }
        stamp = lock.readLock();
        try {
            return needsRebuild || table.contains(i1, i2, fp);
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
            return table.contains(i1, table.alternate(i1, fp), fp);
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
        return (long) table.buckets() * SLOTS_PER_BUCKET;
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
        return table.maxKicks();
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
            copy = table.copyOfSlots();
            copiedSize = size;
            copiedNeedsRebuild = needsRebuild;
        } finally {
            lock.unlockRead(stamp);
        }
        SnapshotCodec.write(out, merkleRootHex, fingerprintBits, table.buckets(), table.maxKicks(), copiedSize,
                copiedNeedsRebuild,
                copy);
    }

    /** Reads a snapshot written by {@link #writeTo}; a truncated, corrupt or foreign one is refused. */
    public static CuckooSnapshot readFrom(InputStream in) throws IOException {
        return SnapshotCodec.read(in);
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
        return (int) Long.remainderUnsigned(h & 0xffffffffL, table.buckets());
    }

    @Override
    public String toString() {
        return "CuckooFilter{size=" + size() + ", capacity=" + capacity() + ", fingerprintBits=" + fingerprintBits
                + (needsRebuild() ? ", needsRebuild" : "") + "}";
    }
}
