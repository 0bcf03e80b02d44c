package io.tiercache.engine.internal;

import io.tiercache.engine.FilterReport;
import io.tiercache.engine.FilterStats;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.cuckoo.CuckooFilter;
import io.tiercache.engine.sql.SqlTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.wal.FilterSnapshotStore;
import io.tiercache.engine.wal.LocalWal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;

/**
 * One cuckoo filter per engine over every id that may be in L3, so a read that missed L1 and L2 skips L3 when the id
 * is definitely not there. A false negative would serve a miss for a stored item, so every rule here is about never
 * answering "missing" for an id L3 holds:
 *
 * <ul>
 *   <li><b>Insert before L3 can hold it.</b> A write routed to L3 is recorded before it enters the write-behind
 *       queue or the WAL ({@link #recordThen}); the ids in the WAL are recorded at start (replay); other nodes' writes
 *       are recorded as the change stream announces them. Any new path that writes an id into L3 (a compare-and-set
 *       straight on L3, a repair) must go through {@link #recordThen} or call {@link #mayExist} first.</li>
 *   <li><b>Never delete; rebuild when the load is high.</b> The filter is a multiset: removing an id that was never
 *       added, or added once for two versions, removes another id's fingerprint. Counting adds per id exactly would
 *       need an exact per-id record (the ground truth's job), and deletes of other nodes arrive without knowing
 *       whether this filter holds a copy. So a delete leaves its id in (a later read of it pays one L3 query, as
 *       before the filter), an id is added only when the filter does not already answer "might exist" (with no
 *       deletes that answer can never turn false), and when the load passes {@value #MAX_LOAD} or an insert is
 *       refused the filter is rebuilt from L3, which drops the deleted ids.</li>
 *   <li><b>Trusted only while complete.</b> Until a rebuild from L3 (or a snapshot whose L3 marker still matches)
 *       completes, reads go to L3 as without a filter.</li>
 *   <li><b>Several nodes.</b> With a change stream ({@link Coherence}) the filter is trusted only within one unbroken
 *       following period: a gap, a lost connection, or L1 distrusted for any reason end it, and a rebuild started
 *       after the stream is followed again restores it. A remote write is then missing from this filter for as long
 *       as its announcement takes to arrive: the same window in which this node's L1 may still serve the old value.
 *       (Only ids L2 does not hold are affected. A writer cut off from Redis announces when it reconnects, one that
 *       died between its L3 commit and its announcement when it restarts; {@code verifyFilter} is the backstop.)
 *       Without a change stream, negatives are trusted only when L3 is an SQLite file in the folder of this
 *       engine's WAL (the embedded default, {@code <dataDir>/l3.db}): a WAL belongs to one engine, and so does the
 *       L3 file kept next to it. Any other L3 (a server, an SQLite file elsewhere) may be written by engines this
 *       one never hears of, so without a change stream the filter is off. All engines sharing one L3 must share one
 *       Redis change stream, which L1 coherence requires too.</li>
 * </ul>
 *
 * <p>Maintenance (restoring, rebuilding, snapshots) runs on one background thread, {@link FilterMaintenance}.
 */
public final class ExistenceFilter implements AutoCloseable {
    static final int FINGERPRINT_BITS = 16;
    /** Smallest filter: 4,096 slots, 8 KiB; it doubles with L3 (a rebuild sizes it at twice the rows). */
    static final long MIN_CAPACITY = 1 << 12;
    /** A rebuild sizes the filter for twice L3's rows, so it can take as many new ids again before the next one. */
    static final double HEADROOM = 2.0;
    /** Above this load inserts start to be refused (about 0.95 with buckets of 4): rebuild before. */
    static final double MAX_LOAD = 0.9;

    private final Coherence coherence;
    private final boolean enabled;
    private final StampedLock swap = new StampedLock();
    private final AtomicLong inserts = new AtomicLong();
    private final LongAdder recorded = new LongAdder();
    private final LongAdder skips = new LongAdder();
    private final AtomicLong rebuilds = new AtomicLong();
    private volatile CuckooFilter current = empty();
    private volatile CuckooFilter candidate;
    private volatile boolean trusted;
    private volatile boolean restored;
    private volatile long trustedEpoch;
    private FilterMaintenance maintenance;

    private ExistenceFilter(Coherence coherence, boolean enabled) {
        this.coherence = coherence;
        this.enabled = enabled;
    }

    /**
     * The filter of an engine with L3 {@code l3}; off (never a negative) when L3 may be shared and there is no
     * change stream to hear other engines' writes on.
     */
    public static ExistenceFilter create(SyncEngineConfig config, SqlTier l3, LocalWal wal, WriteBehind writeBehind,
                                         Coherence coherence) {
        boolean enabled = coherence != null || l3IsThisEnginesFile(config);
        ExistenceFilter filter = new ExistenceFilter(coherence, enabled);
        if (enabled) {
            FilterSnapshots snapshots = new FilterSnapshots(FilterSnapshotStore.open(config.walPath()),
                    L3StateMarker.of(l3, config), () -> writeBehind.itemsFlushed() + writeBehind.itemsDrained()
                    + filter.recorded() + filter.rebuilds.get(), config, coherence != null);
            filter.maintenance = new FilterMaintenance(filter, new FilterRebuild(filter, l3, wal, writeBehind, config),
                    snapshots, config);
            if (coherence != null) {
                coherence.onRemoteChange(filter::mayExist);
            }
        }
        return filter;
    }

    /**
     * Before the change stream is followed: takes the stored snapshot as the filter (not trusted until its marker is
     * checked against L3) and records the ids still in the WAL, which L3 may not hold yet.
     */
    public void restore(LocalWal wal) {
        if (!enabled) {
            return;
        }
        maintenance.restore().ifPresent(filter -> current = filter);
        wal.forEachId(this::mayExist);
    }

    /** Starts maintenance: checking the restored snapshot, or rebuilding from L3. */
    public void start() {
        if (enabled) {
            maintenance.start();
        }
    }

    /**
     * Records {@code id} and then runs {@code store}, which puts the write where L3 will get it from (the queue, the
     * WAL). A rebuild that begins meanwhile waits for {@code store} to finish, so it finds the write there.
     */
    public <T> T recordThen(String id, Supplier<T> store) {
        if (!enabled) {
            return store.get();
        }
        long stamp = swap.readLock();
        try {
            addTo(id);
            return store.get();
        } finally {
            swap.unlockRead(stamp);
        }
    }

    /** Records that L3 may hold {@code id} from now on (another node's write, a replayed one). */
    public void mayExist(String id) {
        if (!enabled) {
            return;
        }
        long stamp = swap.readLock();
        try {
            addTo(id);
        } finally {
            swap.unlockRead(stamp);
        }
    }

    private void addTo(String id) {
        recorded.increment();
        if (addIfAbsent(current, id)) {
            inserts.incrementAndGet();
        }
        CuckooFilter next = candidate;
        if (next != null) {
            addIfAbsent(next, id);
        }
    }

    /** Adds a copy only if the filter does not answer "might exist" already: that answer never turns false again. */
    static boolean addIfAbsent(CuckooFilter filter, String id) {
        return !filter.mightContain(id) && filter.add(id);
    }

    /** True only when L3 certainly does not hold {@code id}; counts the skip. */
    public boolean definitelyMissing(String id) {
        if (enabled && isTrusted() && current.definitelyMissing(id)) {
            skips.increment();
            return true;
        }
        return false;
    }

    /** Whether negatives may be served now: complete, and (with a change stream) in the period it was built in. */
    boolean isTrusted() {
        // l1Trusted first: seeing it true also makes a new following period's epoch visible.
        return trusted && (coherence == null || coherence.l1Trusted() && coherence.followEpoch() == trustedEpoch);
    }

    /**
     * The change stream period writes are announced in now: 0 without a change stream, -1 while it is not followed
     * (announcements may be lost, so nothing built now could be trusted).
     */
    long followingEpoch() {
        if (coherence == null) {
            return 0;
        }
        return coherence.l1Trusted() ? coherence.followEpoch() : -1;
    }

    /** Whether maintenance should build a new filter: not trusted, overflowed, or too full. */
    boolean needsRebuild() {
        CuckooFilter filter = current;
        return !isTrusted() || filter.needsRebuild() || filter.loadFactor() > MAX_LOAD;
    }

    /** From now until {@link #install} or {@link #abandon}, every recorded id also goes into {@code next}. */
    void beginCandidate(CuckooFilter next) {
        long stamp = swap.writeLock();
        try {
            candidate = next;
        } finally {
            swap.unlockWrite(stamp);
        }
    }

    /** Makes a complete candidate the filter, trusted if the change stream period it was built in still holds. */
    boolean install(CuckooFilter next, long epoch) {
        long stamp = swap.writeLock();
        try {
            candidate = null;
            if (followingEpoch() != epoch) {
                return false;
            }
            current = next;
            trustedEpoch = epoch;
            trusted = true;
            restored = false;
            rebuilds.incrementAndGet();
            return true;
        } finally {
            swap.unlockWrite(stamp);
        }
    }

    void abandon() {
        long stamp = swap.writeLock();
        try {
            candidate = null;
        } finally {
            swap.unlockWrite(stamp);
        }
    }

    /** Trusts the restored snapshot: its marker matched L3 after the change stream period {@code epoch} began. */
    void trustRestored(long epoch) {
        long stamp = swap.writeLock();
        try {
            if (followingEpoch() == epoch) {
                trustedEpoch = epoch;
                trusted = true;
                restored = true;
            }
        } finally {
            swap.unlockWrite(stamp);
        }
    }

    /** Stops trusting negatives until the next rebuild. */
    void distrust() {
        trusted = false;
    }

    /** The filter as a snapshot stamped {@code marker}, or null if it is not trusted in period {@code epoch}. */
    byte[] snapshot(String marker, long epoch) {
        long stamp = swap.readLock();
        try {
            CuckooFilter filter = current;
            if (!isTrusted() || trustedEpoch != epoch || filter.needsRebuild()) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64,
                    filter.capacity() * 2 + 128));
            filter.writeTo(out, marker);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            swap.unlockRead(stamp);
        }
    }

    /** Ids recorded so far, added or already there: whether L3 may have changed since a snapshot. */
    long recorded() {
        return recorded.sum();
    }

    /** Fingerprints added to the filter in use so far (a snapshot trigger). */
    long inserts() {
        return inserts.get();
    }

    CuckooFilter current() {
        return current;
    }

    /**
     * Looks up every L3 id; a false negative distrusts the filter and wakes maintenance to rebuild it. An id written
     * by another node and not announced yet counts too, and costs only a rebuild.
     */
    public FilterReport verify() throws TierAccessException {
        if (!enabled) {
            return new FilterReport(0, 0, 0.0, false);
        }
        boolean wasTrusted = isTrusted();
        double load = current.loadFactor();
        long[] counts = new long[2];
        maintenance.rebuild().forEachL3Page(page -> {
            for (String id : page) {
                counts[0]++;
                if (current.definitelyMissing(id)) {
                    counts[1]++;
                }
            }
        }, () -> false);
        if (counts[1] > 0) {
            distrust();
            maintenance.wake();
        }
        return new FilterReport(counts[0], counts[1], load, wasTrusted);
    }

    public FilterStats stats() {
        if (!enabled) {
            return new FilterStats(false, false, 0, 0.0, 0, 0, false);
        }
        return new FilterStats(true, isTrusted(), skips.sum(), current.loadFactor(), rebuilds.get(),
                maintenance.snapshotsWritten(), restored && isTrusted());
    }

    /** Stops maintenance and writes a last snapshot (call once the write-behind queue has been flushed). */
    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.close();
        }
    }

    /** Whether L3 is an SQLite file in the folder of this engine's WAL, which no other engine can share. */
    static boolean l3IsThisEnginesFile(SyncEngineConfig config) {
        String url = config.sqlUrl();
        if (!url.startsWith("jdbc:sqlite:")) {
            return false;
        }
        Path file = Path.of(url.substring("jdbc:sqlite:".length())).toAbsolutePath().normalize();
        Path walFolder = config.walPath().toAbsolutePath().normalize().getParent();
        return walFolder != null && walFolder.equals(file.getParent());
    }

    static CuckooFilter empty() {
        return CuckooFilter.create(MIN_CAPACITY, FINGERPRINT_BITS);
    }

    /** Room for {@code ids} at load 1 / {@link #HEADROOM}, within the filter's limits. */
    static CuckooFilter sizedFor(long ids) {
        long capacity = Math.max(MIN_CAPACITY, (long) (ids * HEADROOM));
        return CuckooFilter.create(Math.min(CuckooFilter.MAX_CAPACITY, capacity), FINGERPRINT_BITS);
    }
}
