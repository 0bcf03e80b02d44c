package io.tiercache.engine.internal;

import io.tiercache.engine.CorruptionException;
import io.tiercache.engine.ItemStatus;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TierUnavailableException;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import io.tiercache.engine.wal.LocalWal;
import io.tiercache.engine.wal.WalEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;

/**
 * The read path: L1, then the write-behind queue (this node's newest writes), then L2, then the WAL while it holds
 * writes L3 lacks, then the existence filter (a trusted "definitely missing" is a miss without asking L3), then L3. What a lower tier returns is checked (hash, expiry) before it is served and promoted:
 * into L1 by a version-guarded fill, into L2 off the reading thread. A corrupt L2 copy is replaced from L3; a corrupt
 * L3 copy is refused with {@link CorruptionException}. Callers validate ids and the engine's state.
 */
public final class ReadPath {
    private static final Logger LOG = LoggerFactory.getLogger(ReadPath.class);

    private final TimeSource time;
    private final HybridLogicalClock clock;
    private final MemoryTier l1;
    private final ItemTier l2;
    private final ItemTier l3;
    private final LocalWal wal;
    private final WriteBehind writeBehind;
    private final Coherence coherence;
    private final CircuitBreaker l2Breaker;
    private final CircuitBreaker l3Breaker;
    private final ExecutorService l2Filler;
    private final LongAdder l1Hits = new LongAdder();
    private final LongAdder l2Hits = new LongAdder();
    private final LongAdder l3Hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder l3Reads = new LongAdder();
    private final ExistenceFilter existence;

    /** Tiers the engine does not have are null. */
    public ReadPath(TimeSource time, HybridLogicalClock clock, MemoryTier l1, ItemTier l2, ItemTier l3, LocalWal wal,
                    WriteBehind writeBehind, Coherence coherence, CircuitBreaker l2Breaker, CircuitBreaker l3Breaker,
                    ExecutorService l2Filler, ExistenceFilter existence) {
        this.time = time;
        this.clock = clock;
        this.l1 = l1;
        this.l2 = l2;
        this.l3 = l3;
        this.wal = wal;
        this.writeBehind = writeBehind;
        this.coherence = coherence;
        this.l2Breaker = l2Breaker;
        this.l3Breaker = l3Breaker;
        this.l2Filler = l2Filler;
        this.existence = existence;
    }

    public long l1Hits() {
        return l1Hits.sum();
    }

    public long l2Hits() {
        return l2Hits.sum();
    }

    public long l3Hits() {
        return l3Hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    /** Queries sent to L3 for reads ({@code get} and {@code getMany}). */
    public long l3Reads() {
        return l3Reads.sum();
    }

    /** The stored items among {@code ids}, found with one L3 query for everything L1 does not hold. */
    public Map<String, SyncItem> getMany(Collection<String> ids) {
        long now = time.currentTimeMillis();
        Map<String, SyncItem> found = new HashMap<>();
        List<String> below = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            Optional<Optional<SyncItem>> local = readLocal(id, false, now);
            if (local.isPresent()) {
                local.get().ifPresent(item -> found.put(id, item));
            } else {
                below.add(id);
            }
        }
        if (!below.isEmpty()) {
            below = readManyFromCacheTier(below, found, now);
        }
        if (!below.isEmpty() && l3 != null) {
            if (writeBehind.hasWalBacklog()) {
                for (String id : below) {
                    read(id, false).ifPresent(item -> found.put(id, item));
                }
            } else {
                below = withoutDefinitelyMissing(below);
                Map<String, SyncItem> stored;
                try {
                    stored = below.isEmpty() ? Map.of() : l3.getMany(below);
                } catch (TierAccessException e) {
                    throw l3Unavailable("reading " + below.size() + " items", e);
                }
                for (SyncItem item : stored.values()) {
                    servable(item, now).ifPresent(ok -> {
                        found.put(ok.id(), ok);
                        promoteToCacheTier(ok);
                    });
                }
                misses.add(below.size() - stored.size());
            }
        } else {
            misses.add(below.size());
        }
        return found;
    }

    /** The ids L3 may hold; the others are counted as misses here. */
    private List<String> withoutDefinitelyMissing(List<String> ids) {
        if (existence == null) {
            l3Reads.increment();
            return ids;
        }
        List<String> kept = new ArrayList<>(ids.size());
        for (String id : ids) {
            if (!existence.definitelyMissing(id)) {
                kept.add(id);
            }
        }
        misses.add(ids.size() - kept.size());
        if (!kept.isEmpty()) {
            l3Reads.increment();
        }
        return kept;
    }

    /** One L2 pipeline for the ids memory did not have; returns the ids still to be asked below. */
    private List<String> readManyFromCacheTier(List<String> ids, Map<String, SyncItem> found, long now) {
        if (l2 == null || !writeBehind.cacheTierTrusted() || !l2Breaker.allowsCall()) {
            return ids;
        }
        Map<String, SyncItem> cached;
        try {
            cached = l2.getMany(ids);
            l2Breaker.recordSuccess();
        } catch (TierAccessException e) {
            l2Breaker.recordFailure();
            return ids;
        }
        List<String> below = new ArrayList<>();
        for (String id : ids) {
            SyncItem item = cached.get(id);
            if (item != null && item.isIntact() && !item.isExpiredAt(now)) {
                clock.observe(item.version());
                l2Hits.increment();
                l1.fill(item);
                found.put(id, item);
            } else {
                if (item != null && !item.isIntact()) {
                    LOG.warn("L2 copy of '{}' fails its hash check; it is dropped", id);
                    healCacheTier(id, null);
                }
                below.add(id);
            }
        }
        return below;
    }

    /** Where the item is: pending in the write-behind queue, stored in some tiers, or missing. */
    public ItemStatus status(String id) {
        long now = time.currentTimeMillis();
        PendingWrite pending = writeBehind.pending(id);
        // An expired write is gone whatever is still queued for it (the queue only owes the tiers its removal).
        if (pending != null && !(pending.write() instanceof TierWrite.Upsert upsert && upsert.item().isExpiredAt(now))) {
            return new ItemStatus.Pending(pending.version());
        }
        // While L3 catches up, a write the WAL holds has left memory but is no more synced than a queued one.
        if (writeBehind.hasWalBacklog()) {
            Optional<WalEntry> journaled = wal.latestFor(id);
            if (journaled.isPresent()) {
                return new ItemStatus.Pending(journaled.get().write().version());
            }
        }
        boolean inL1 = l1.get(id).filter(item -> !item.isExpiredAt(now)).isPresent();
        boolean inL3 = false;
        if (l3 != null) {
            try {
                inL3 = l3.get(id).filter(item -> !item.isExpiredAt(now)).isPresent();
            } catch (TierAccessException e) {
                throw l3Unavailable("reading the status of '" + id + "'", e);
            }
        }
        boolean inL2 = false;
        if (l2 != null) {
            try {
                inL2 = l2.get(id).filter(item -> item.isIntact() && !item.isExpiredAt(now)).isPresent();
            } catch (TierAccessException e) {
                l2Breaker.recordFailure();
            }
        }
        return inL1 || inL2 || inL3 ? new ItemStatus.Synced(inL1, inL2, inL3) : new ItemStatus.Missing();
    }

    public Optional<SyncItem> read(String id, boolean verify) {
        long now = time.currentTimeMillis();
        Optional<Optional<SyncItem>> local = readLocal(id, verify, now);
        if (local.isPresent()) {
            return local.get();
        }
        CacheTierAnswer cached = readCacheTier(id, now);
        if (cached.item() != null) {
            return Optional.of(cached.item());
        }
        if (l3 == null) {
            misses.increment();
            return Optional.empty();
        }
        if (writeBehind.hasWalBacklog()) {
            Optional<WalEntry> journaled = wal.latestFor(id);
            if (journaled.isPresent()) {
                return journaled.get().write() instanceof TierWrite.Upsert upsert
                        ? servable(upsert.item(), now) : Optional.empty();
            }
        }
        if (existence != null && existence.definitelyMissing(id)) {
            misses.increment();
            if (cached.corrupt()) {
                healCacheTier(id, null);
            }
            return Optional.empty();
        }
        Optional<SyncItem> stored;
        l3Reads.increment();
        try {
            stored = l3.get(id);
        } catch (TierAccessException e) {
            throw l3Unavailable("reading '" + id + "'", e);
        }
        if (stored.isEmpty()) {
            misses.increment();
            if (cached.corrupt()) {
                healCacheTier(id, null);
            }
            return Optional.empty();
        }
        Optional<SyncItem> served = servable(stored.get(), now);
        served.ifPresent(item -> {
            if (cached.corrupt()) {
                healCacheTier(id, item);
            } else {
                promoteToCacheTier(item);
            }
        });
        return served;
    }

    /**
     * The ground truth's answer alone, for a decision that must not rest on a cache: the WAL while it holds writes
     * L3 lacks, then L3. Not promoted to L2 (the caller is about to write L2 itself).
     */
    public Optional<SyncItem> readGroundTruth(String id) {
        if (l3 == null) {
            return Optional.empty();
        }
        long now = time.currentTimeMillis();
        if (writeBehind.hasWalBacklog()) {
            Optional<WalEntry> journaled = wal.latestFor(id);
            if (journaled.isPresent()) {
                return journaled.get().write() instanceof TierWrite.Upsert upsert
                        ? servable(upsert.item(), now) : Optional.empty();
            }
        }
        try {
            return l3.get(id).flatMap(item -> servable(item, now));
        } catch (TierAccessException e) {
            throw l3Unavailable("reading '" + id + "'", e);
        }
    }

    /** What L2 said: an item to serve, or nothing (ask L3), and whether its copy was corrupt. */
    private record CacheTierAnswer(SyncItem item, boolean corrupt) {
        static final CacheTierAnswer NONE = new CacheTierAnswer(null, false);
    }

    /**
     * Asks L2 if it can be trusted now. A failing Redis is never the caller's problem: it opens the breaker and the
     * read falls through to L3. A copy that fails its hash check is logged and replaced from L3.
     */
    private CacheTierAnswer readCacheTier(String id, long now) {
        if (l2 == null || !writeBehind.cacheTierTrusted() || !l2Breaker.allowsCall()) {
            return CacheTierAnswer.NONE;
        }
        Optional<SyncItem> found;
        try {
            found = l2.get(id);
            l2Breaker.recordSuccess();
        } catch (TierAccessException e) {
            l2Breaker.recordFailure();
            LOG.debug("L2 read of '{}' failed; reading below", id, e);
            return CacheTierAnswer.NONE;
        }
        if (found.isEmpty()) {
            return CacheTierAnswer.NONE;
        }
        SyncItem item = found.get();
        if (!item.isIntact()) {
            LOG.warn("L2 copy of '{}' fails its hash check; serving L3's copy and rewriting L2", id);
            return new CacheTierAnswer(null, true);
        }
        clock.observe(item.version());
        if (item.isExpiredAt(now)) {
            return CacheTierAnswer.NONE;
        }
        l2Hits.increment();
        l1.fill(item);
        return new CacheTierAnswer(item, false);
    }

    /** Copies an L3 hit into L2 off the reading thread; a delete that raced it is re-applied so L2 keeps no ghost. */
    private void promoteToCacheTier(SyncItem item) {
        if (l2 == null || !writeBehind.cacheTierTrusted()) {
            return;
        }
        l2Filler.execute(() -> {
            try {
                l2.apply(List.of(new TierWrite.Upsert(item)));
                if (l1.hasTombstone(item.id()) || writeBehind.pending(item.id()) != null) {
                    l2.apply(List.of(new TierWrite.Delete(item.id(), Long.MAX_VALUE)));
                }
            } catch (TierAccessException e) {
                l2Breaker.recordFailure();
            }
        });
    }

    /** Replaces a corrupt L2 copy (whose version field cannot be trusted either) with L3's, or removes it. */
    private void healCacheTier(String id, SyncItem fromL3) {
        List<TierWrite> repair = new ArrayList<>(2);
        repair.add(new TierWrite.Delete(id, Long.MAX_VALUE));
        if (fromL3 != null) {
            repair.add(new TierWrite.Upsert(fromL3));
        }
        try {
            l2.apply(repair);
        } catch (TierAccessException e) {
            l2Breaker.recordFailure();
            LOG.warn("could not rewrite the corrupt L2 copy of '{}': {}", id, e.getMessage());
        }
    }

    /**
     * What memory knows: {@code Optional.of(item or empty)} when L1 or the write-behind queue answers (an empty inner
     * value is a local delete), {@code Optional.empty()} when a lower tier must be asked.
     */
    private Optional<Optional<SyncItem>> readLocal(String id, boolean verify, long now) {
        // Without a followed change stream, L1 may miss other nodes' writes: only this node's queue is trusted.
        // Read once: with Redis, whether L1 is trusted also checks this node's lease (a clock read).
        boolean trusted = coherence == null || coherence.l1Trusted();
        Optional<SyncItem> cached = trusted ? l1.get(id) : Optional.empty();
        if (cached.isPresent()) {
            SyncItem item = cached.get();
            if (verify && !item.isIntact()) {
                LOG.warn("L1 copy of '{}' failed its hash check; dropped and read again from below", id);
                l1.invalidate(id);
            } else {
                l1Hits.increment();
                return Optional.of(item.isExpiredAt(now) ? Optional.empty() : cached);
            }
        } else if (trusted && l1.hasTombstone(id)) {
            l1Hits.increment();
            return Optional.of(Optional.empty());
        }
        PendingWrite pending = writeBehind.pending(id);
        if (pending != null && !pending.superseded()) {
            l1Hits.increment();
            if (pending.write() instanceof TierWrite.Upsert upsert && !upsert.item().isExpiredAt(now)) {
                l1.fill(upsert.item());
                return Optional.of(Optional.of(upsert.item()));
            }
            return Optional.of(Optional.empty());
        }
        return Optional.empty();
    }

    /** Checks a copy read from below before serving it, and promotes it into L1. */
    private Optional<SyncItem> servable(SyncItem item, long now) {
        if (!item.isIntact()) {
            throw new CorruptionException(item.id(), "the stored content hash does not match the payload in L3 ("
                    + l3.describe() + ", version " + item.version() + ")");
        }
        clock.observe(item.version());
        if (item.isExpiredAt(now)) {
            misses.increment();
            return Optional.empty();
        }
        l3Hits.increment();
        l1.fill(item);
        return Optional.of(item);
    }

    public TierUnavailableException l3Unavailable(String what, TierAccessException e) {
        l3Breaker.recordFailure();
        return new TierUnavailableException(Tier.L3, "L3 is unavailable while " + what + ": " + e.getMessage(), e);
    }
}
