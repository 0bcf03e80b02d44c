package io.tiercache.engine.internal;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.cuckoo.CuckooFilter;
import io.tiercache.engine.sql.SqlTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.wal.LocalWal;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Builds a complete filter from L3 while writes go on. The order is what makes it complete:
 * <ol>
 *   <li>the new filter becomes the candidate: every id recorded from then on goes into it too, and a write being
 *       stored meanwhile is waited for ({@link ExistenceFilter#recordThen});</li>
 *   <li>the ids of this node's pending writes, then of the WAL, are added: every write stored before step 1 is
 *       there or already in L3 (a write leaves the queue only once L3 or the WAL has it, and leaves the WAL only
 *       once L3 has it);</li>
 *   <li>L3's ids are paged in, {@code cuckooWarmupBatchSize} at a time: everything L3 held before this scan began.</li>
 * </ol>
 * Other nodes' writes are in L3 before the scan, or announced on the change stream after it began (followed since
 * before step 1), which adds them. A scan that loses the stream is abandoned and started again.
 */
final class FilterRebuild {
    private final ExistenceFilter filter;
    private final SqlTier l3;
    private final LocalWal wal;
    private final WriteBehind writeBehind;
    private final int batchSize;
    private final TimeSource time;

    /** Receives one page of L3 ids. */
    @FunctionalInterface
    interface PageConsumer {
        void accept(List<String> ids);
    }

    FilterRebuild(ExistenceFilter filter, SqlTier l3, LocalWal wal, WriteBehind writeBehind, SyncEngineConfig config) {
        this.filter = filter;
        this.l3 = l3;
        this.wal = wal;
        this.writeBehind = writeBehind;
        this.batchSize = config.cuckooWarmupBatchSize();
        this.time = config.timeSource();
    }

    /**
     * Rebuilds within change stream period {@code epoch}; false when it was abandoned ({@code stop} said so, or the
     * period ended). Throws when L3 does not answer; the filter in use stays as it was.
     */
    boolean run(long epoch, BooleanSupplier stop) throws TierAccessException {
        CuckooFilter next = ExistenceFilter.sizedFor(l3.size() + writeBehind.queuedCount() + wal.depth());
        filter.beginCandidate(next);
        boolean installed = false;
        try {
            for (PendingWrite pending : writeBehind.pendingWrites()) {
                ExistenceFilter.addIfAbsent(next, pending.id());
            }
            wal.forEachId(id -> ExistenceFilter.addIfAbsent(next, id));
            boolean complete = forEachL3Page(ids -> ids.forEach(id -> ExistenceFilter.addIfAbsent(next, id)),
                    () -> stop.getAsBoolean() || filter.followingEpoch() != epoch);
            installed = complete && filter.install(next, epoch);
            return installed;
        } finally {
            if (!installed) {
                filter.abandon();
            }
        }
    }

    /** Pages through every id in L3 (expired ones left out); false if {@code stop} ended it early. */
    boolean forEachL3Page(PageConsumer consumer, BooleanSupplier stop) throws TierAccessException {
        String after = null;
        long now = time.currentTimeMillis();
        while (!stop.getAsBoolean()) {
            List<String> ids = l3.idsByPrefix("", after, batchSize, now);
            consumer.accept(ids);
            if (ids.size() < batchSize) {
                return true;
            }
            after = ids.get(ids.size() - 1);
        }
        return false;
    }
}
