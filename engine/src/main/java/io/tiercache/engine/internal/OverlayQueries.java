package io.tiercache.engine.internal;

import io.tiercache.engine.CorruptionException;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TierUnavailableException;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import io.tiercache.engine.wal.LocalWal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * Scans and counts over the ground truth (L3, or L1 when there is no L3) with the write-behind queue laid over it, so
 * a write is visible to scans from the moment it is accepted, not from the moment it is flushed.
 */
public final class OverlayQueries {
    private final MemoryTier l1;
    private final ItemTier l2;
    private final ItemTier l3;
    private final LocalWal wal;
    private final WriteBehind writeBehind;
    private final TimeSource time;
    private final BiFunction<String, TierAccessException, TierUnavailableException> l3Unavailable;

    /**
     * @param l2            null for an engine without L2; the ground truth when there is no L3
     * @param l3            null for an engine without L3
     * @param l3Unavailable turns a ground-truth failure into what the caller sees (and tells the breaker)
     */
    public OverlayQueries(MemoryTier l1, ItemTier l2, ItemTier l3, LocalWal wal, WriteBehind writeBehind, TimeSource time,
                          BiFunction<String, TierAccessException, TierUnavailableException> l3Unavailable) {
        this.l1 = l1;
        this.l2 = l2;
        this.l3 = l3;
        this.wal = wal;
        this.writeBehind = writeBehind;
        this.time = time;
        this.l3Unavailable = l3Unavailable;
    }

    @FunctionalInterface
    public interface PageQuery<T> {
        List<T> page(ItemTier tier, String afterId, int limit, long now) throws TierAccessException;
    }

    @FunctionalInterface
    public interface CountQuery {
        long count(ItemTier tier, long now) throws TierAccessException;
    }

    /**
     * A page from the ground truth with the write-behind queue laid over it: queued writes the tier does not have yet
     * are added, queued deletes and re-tagged items removed.
     */
    public List<SyncItem> scan(Predicate<SyncItem> matches, PageQuery<SyncItem> query, String afterId, int limit) {
        long now = time.currentTimeMillis();
        List<PendingWrite> overlay = overlayAfter(afterId);
        TreeMap<String, SyncItem> merged = new TreeMap<>(IdOrder.COMPARATOR);
        for (SyncItem item : groundTruthPage(query, afterId, limit + overlay.size(), now)) {
            merged.put(item.id(), item);
        }
        Set<String> queued = new HashSet<>();
        for (PendingWrite pending : overlay) {
            merged.remove(pending.id());
            if (pending.write() instanceof TierWrite.Upsert upsert && !upsert.item().isExpiredAt(now)
                    && matches.test(upsert.item())) {
                merged.put(pending.id(), upsert.item());
                queued.add(pending.id());
            }
        }
        List<SyncItem> page = new ArrayList<>(Math.min(limit, merged.size()));
        for (SyncItem item : merged.values()) {
            if (page.size() == limit) {
                break;
            }
            // A scan serves payloads like get does, so it must refuse a copy L3 corrupted just the same.
            if (l3 != null && !queued.contains(item.id()) && !item.isIntact()) {
                throw new CorruptionException(item.id(), "the stored content hash does not match the payload in L3 ("
                        + l3.describe() + ", version " + item.version() + ")");
            }
            page.add(item);
        }
        return page;
    }

    /** Like {@link #scan}, for ids only. */
    public List<String> ids(Predicate<SyncItem> matches, PageQuery<String> query, String afterId, int limit) {
        long now = time.currentTimeMillis();
        List<PendingWrite> overlay = overlayAfter(afterId);
        TreeMap<String, Boolean> merged = new TreeMap<>(IdOrder.COMPARATOR);
        for (String id : groundTruthPage(query, afterId, limit + overlay.size(), now)) {
            merged.put(id, Boolean.TRUE);
        }
        for (PendingWrite pending : overlay) {
            merged.remove(pending.id());
            if (pending.write() instanceof TierWrite.Upsert upsert && !upsert.item().isExpiredAt(now)
                    && matches.test(upsert.item())) {
                merged.put(pending.id(), Boolean.TRUE);
            }
        }
        return merged.keySet().stream().limit(limit).toList();
    }

    /** The ground truth's count corrected by every queued write that changes whether its id matches. */
    public long count(Predicate<SyncItem> matches, CountQuery query) {
        long now = time.currentTimeMillis();
        ItemTier truth = groundTruth();
        try {
            // The count and the lookup of the queued ids must see one L3 state: a batch landing between them would
            // be counted as already stored by one query and as missing by the other.
            return writeBehind.readConsistently(() -> countOnce(truth, matches, query, now));
        } catch (TierAccessException e) {
            throw l3Unavailable.apply("counting", e);
        }
    }

    private long countOnce(ItemTier truth, Predicate<SyncItem> matches, CountQuery query, long now)
            throws TierAccessException {
        List<PendingWrite> overlay = overlayAfter(null);
        long count = query.count(truth, now);
        if (overlay.isEmpty()) {
            return count;
        }
        Map<String, SyncItem> before = truth.getMany(overlay.stream().map(PendingWrite::id).toList());
        for (PendingWrite pending : overlay) {
            SyncItem old = before.get(pending.id());
            boolean wasCounted = old != null && !old.isExpiredAt(now) && matches.test(old);
            boolean isCounted = pending.write() instanceof TierWrite.Upsert upsert
                    && !upsert.item().isExpiredAt(now) && matches.test(upsert.item());
            count += (isCounted ? 1 : 0) - (wasCounted ? 1 : 0);
        }
        return count;
    }

    /** One page straight from the ground truth, without the overlay. */
    public <T> List<T> groundTruthPage(PageQuery<T> query, String afterId, int limit, long now) {
        try {
            return query.page(groundTruth(), afterId, limit, now);
        } catch (TierAccessException e) {
            throw l3Unavailable.apply("scanning", e);
        }
    }

    /** L3 when configured (refusing while it is still catching up from the WAL), else L2, else L1. */
    private ItemTier groundTruth() {
        if (l3 == null) {
            return l2 != null ? l2 : l1;
        }
        if (writeBehind.hasWalBacklog()) {
            throw new TierUnavailableException(Tier.L3, "L3 is catching up from the local WAL (" + wal.depth()
                    + " writes); scans and counts resume when it has drained", null);
        }
        return l3;
    }

    private List<PendingWrite> overlayAfter(String afterId) {
        List<PendingWrite> overlay = new ArrayList<>();
        if (l3 == null && l2 == null) {
            return overlay;
        }
        for (PendingWrite pending : writeBehind.pendingWrites()) {
            if (afterId == null || IdOrder.compare(pending.id(), afterId) > 0) {
                overlay.add(pending);
            }
        }
        return overlay;
    }
}
