package io.tiercache.engine.internal;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.cuckoo.CorruptSnapshotException;
import io.tiercache.engine.cuckoo.CuckooFilter;
import io.tiercache.engine.cuckoo.CuckooSnapshot;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.wal.FilterSnapshotStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Writes the filter to the local WAL database every {@code cfSnapshotIntervalSecs} or after
 * {@code cfSnapshotInsertThreshold} inserts, stamped with the L3 marker ({@link L3StateMarker}) it covers, and reads
 * it back at start.
 *
 * <p>A snapshot stamped {@code M} must hold every id L3 held at {@code M}. This node's writes are recorded before
 * they reach L3, so reading the marker first and copying the filter after is enough on a single node. Another node's
 * write is in L3 a moment before its announcement reaches this filter, so with a change stream the copy is stamped
 * with a marker read at least {@value #SETTLE_MILLIS} ms earlier in the same unbroken following period: every write
 * the marker covers has been announced and recorded by then, unless its writer stalled between its L3 commit and its
 * announcement for longer than that (the same lag that would leave this node's L1 stale).
 */
final class FilterSnapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FilterSnapshots.class);
    static final long SETTLE_MILLIS = 2_000;

    private final FilterSnapshotStore store;
    private final L3StateMarker marker;
    private final TimeSource time;
    private final long intervalMillis;
    private final long insertThreshold;
    private final long settleMillis;
    private final AtomicLong written = new AtomicLong();
    private final LongSupplier activity;
    private long lastAttemptMillis;
    private long insertsAtLast;
    private long activityAtLastWrite = -1;
    private Settling settling;

    /**
     * A marker read at {@code readAtMillis}, with the activity and inserts counted just before; with a change stream
     * it waits until announcements of what it covers have arrived.
     */
    private record Settling(String marker, long readAtMillis, long epoch, long activity, long inserts) {
    }

    /**
     * @param activity grows with every change this engine makes or hears of in L3 (flushed and replayed writes,
     *                 recorded ids, rebuilds): unchanged since the last snapshot means no new one is needed
     */
    FilterSnapshots(FilterSnapshotStore store, L3StateMarker marker, LongSupplier activity, SyncEngineConfig config,
                    boolean settle) {
        this.store = store;
        this.marker = marker;
        this.activity = activity;
        this.time = config.timeSource();
        this.intervalMillis = config.cfSnapshotIntervalSecs() * 1000;
        this.insertThreshold = config.cfSnapshotInsertThreshold();
        this.settleMillis = settle ? SETTLE_MILLIS : 0;
        this.lastAttemptMillis = time.currentTimeMillis();
    }

    /** The stored snapshot, if there is one and it decodes; a corrupt one is logged and ignored (a rebuild follows). */
    Optional<CuckooSnapshot> load() {
        Optional<byte[]> bytes;
        try {
            bytes = store.load();
        } catch (RuntimeException e) {
            // The snapshot only saves a rebuild: failing to read it must not fail the start.
            LOG.warn("the existence filter snapshot cannot be read ({}); the filter is rebuilt from L3", e.getMessage());
            return Optional.empty();
        }
        if (bytes.isEmpty()) {
            LOG.info("no existence filter snapshot in the local WAL database; the filter is built from L3");
            return Optional.empty();
        }
        try {
            return Optional.of(CuckooFilter.readFrom(new ByteArrayInputStream(bytes.get())));
        } catch (CorruptSnapshotException e) {
            LOG.warn("the existence filter snapshot is rejected ({}); the filter is rebuilt from L3", e.getMessage());
        } catch (IOException e) {
            LOG.warn("the existence filter snapshot cannot be read ({}); the filter is rebuilt from L3", e.getMessage());
        }
        return Optional.empty();
    }

    /** Whether L3 still is in the state {@code snapshot} was stamped at. */
    boolean stillValid(CuckooSnapshot snapshot) throws TierAccessException {
        String now = marker.current();
        if (snapshot.trustedAt(now)) {
            return true;
        }
        LOG.info("L3 changed since the existence filter snapshot was written (or it is another L3); rebuilding");
        return false;
    }

    /**
     * Writes a snapshot if one is due by time or by inserts and L3 may have changed since the last one (reading the
     * marker scans L3, so a quiet engine does not).
     */
    void maybeWrite(ExistenceFilter filter, long epoch) throws TierAccessException {
        long now = time.currentTimeMillis();
        if (settling != null) {
            if (settling.epoch() != epoch) {
                settling = null;
            } else if (now - settling.readAtMillis() >= settleMillis) {
                write(filter, settling, epoch, now);
                settling = null;
            }
            return;
        }
        boolean due = now - lastAttemptMillis >= intervalMillis || filter.inserts() - insertsAtLast >= insertThreshold;
        if (!due) {
            return;
        }
        lastAttemptMillis = now;
        long seen = activity.getAsLong();
        if (seen == activityAtLastWrite) {
            return;
        }
        // Activity is read before the marker: whatever happens after it makes the next snapshot due again.
        Settling read = new Settling(marker.current(), now, epoch, seen, filter.inserts());
        if (settleMillis == 0) {
            write(filter, read, epoch, now);
        } else {
            settling = read;
        }
    }

    /** A last snapshot at shutdown, once every write is flushed. */
    void writeFinal(ExistenceFilter filter) throws TierAccessException {
        long epoch = filter.followingEpoch();
        long now = time.currentTimeMillis();
        if (epoch < 0) {
            return;
        }
        if (settleMillis == 0) {
            long seen = activity.getAsLong();
            if (seen != activityAtLastWrite) {
                write(filter, new Settling(marker.current(), now, epoch, seen, filter.inserts()), epoch, now);
            }
        } else if (settling != null && settling.epoch() == epoch && now - settling.readAtMillis() >= settleMillis) {
            write(filter, settling, epoch, now);
        }
    }

    private void write(ExistenceFilter filter, Settling stamp, long epoch, long now) {
        byte[] bytes = filter.snapshot(stamp.marker(), epoch);
        if (bytes == null) {
            return;
        }
        store.save(bytes, now);
        activityAtLastWrite = stamp.activity();
        insertsAtLast = stamp.inserts();
        written.incrementAndGet();
        LOG.debug("existence filter snapshot written ({} bytes)", bytes.length);
    }

    long written() {
        return written.get();
    }

    @Override
    public void close() {
        store.close();
    }
}
