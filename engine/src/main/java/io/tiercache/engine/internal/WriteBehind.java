package io.tiercache.engine.internal;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.Tier;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The write-behind pipeline: writes queue in memory and one flusher thread moves them to L3 in batches, triggered by
 * count, bytes or age. When L3 refuses a batch (or its breaker is open) the batch is journaled to the local WAL
 * instead, and from then on every batch goes to the WAL until a drain has replayed the WAL into L3 in order: that
 * keeps L3's view of each id moving forward only, and lets reads trust a WAL entry over L3 while a backlog exists.
 *
 * <p>One thread does flushing, draining and expiry purges, so none of them race each other.
 */
public final class WriteBehind {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBehind.class);
    private static final long PURGE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final SyncEngineConfig config;
    private final ItemTier l3;
    private final ItemTier l2;
    private final CircuitBreaker l2Breaker;
    private final CacheTierRepairs l2Repairs;
    private final LocalWal wal;
    private final MemoryTier l1;
    private final CircuitBreaker l3Breaker;
    private final ConcurrentHashMap<String, PendingWrite> pendingById = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<PendingWrite> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedCount = new AtomicInteger();
    private final AtomicLong pinnedBytes = new AtomicLong();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder itemsFlushed = new LongAdder();
    private final LongAdder itemsJournaled = new LongAdder();
    private final LongAdder itemsDrained = new LongAdder();
    private final ReentrantReadWriteLock l3Changes = new ReentrantReadWriteLock();
    private final Thread flusher;
    private volatile boolean expedite;
    private volatile boolean stopping;
    private volatile boolean walBacklog;
    private long drainCursor;
    private long lastPurgeNanos = System.nanoTime();

    public WriteBehind(SyncEngineConfig config, ItemTier l3, LocalWal wal, MemoryTier l1, CircuitBreaker l3Breaker) {
        this(config, l3, wal, l1, l3Breaker, null, null, null);
    }

    /** With a cache tier (L2): writes go there after L3, and what cannot reach it is owed as an invalidation. */
    public WriteBehind(SyncEngineConfig config, ItemTier l3, LocalWal wal, MemoryTier l1, CircuitBreaker l3Breaker,
                       ItemTier l2, CircuitBreaker l2Breaker, CacheTierRepairs l2Repairs) {
        this.config = config;
        this.l3 = l3;
        this.l2 = l2;
        this.l2Breaker = l2Breaker;
        this.l2Repairs = l2Repairs;
        this.wal = wal;
        this.l1 = l1;
        this.l3Breaker = l3Breaker;
        this.walBacklog = wal != null && wal.depth() > 0;
        this.flusher = new Thread(this::flushLoop, "tiercache-flusher");
        this.flusher.setDaemon(true);
    }

    public void start() {
        flusher.start();
    }

    /** Replays the WAL into L3 now, on the caller's thread (startup, before the engine is ready). */
    public void drainWalNow() {
        oweCacheTierForWal();
        while (walBacklog && l3Breaker.allowsCall()) {
            if (!drainOneBatch()) {
                break;
            }
        }
        // A ready engine must not report the replayed entries as still waiting.
        wal.commitApplied();
    }

    /**
     * A process that died left in the WAL writes it may never have sent to L2, which then still holds older copies:
     * they are owed as invalidations before L2 is read again.
     */
    private void oweCacheTierForWal() {
        if (l2Repairs == null) {
            return;
        }
        long after = 0;
        for (List<WalEntry> page; !(page = wal.readAfter(after, 1000)).isEmpty(); ) {
            l2Repairs.owe(page.stream().map(WalEntry::write).toList());
            after = page.get(page.size() - 1).seq();
        }
    }

    /** Queues a write that L1 already holds; becomes the pending write for its id. */
    public void enqueue(PendingWrite write) {
        pendingById.merge(write.id(), write, (old, neu) -> neu.version() >= old.version() ? neu : old);
        queue.add(write);
        int count = queuedCount.incrementAndGet();
        long bytes = pinnedBytes.addAndGet(write.bytes());
        if (count >= config.batchFlushCount() || bytes >= config.batchFlushBytes()
                || write.durability() == io.tiercache.engine.Durability.DURABLE) {
            wake(true);
        }
    }

    /** The newest write for {@code id} not yet stored in L3 or the WAL. */
    public PendingWrite pending(String id) {
        return pendingById.get(id);
    }

    public Collection<PendingWrite> pendingWrites() {
        return pendingById.values();
    }

    /** Whether the WAL holds writes L3 does not have yet, so reads must look there before L3. */
    public boolean hasWalBacklog() {
        return walBacklog;
    }

    /** Whether L2 may be read: it owes no invalidations (else it could hold copies older than L3). */
    public boolean cacheTierTrusted() {
        return l2 != null && l2Repairs.isEmpty();
    }

    /** Invalidations L2 still owes. */
    public int cacheTierRepairsOwed() {
        return l2Repairs == null ? 0 : l2Repairs.size();
    }

    /**
     * What {@code tier} receives for a write: the write itself where it is routed, else a delete at the same version,
     * so an older copy left there by an earlier differently-routed write cannot outlive the newest one.
     */
    static TierWrite forTier(TierWrite write, Set<Tier> routing, Tier tier) {
        return routing.contains(tier) || write instanceof TierWrite.Delete
                ? write : new TierWrite.Delete(write.id(), write.version());
    }

    public int queuedCount() {
        return queuedCount.get();
    }

    /** Memory held by writes that cannot be evicted until stored. */
    public long pinnedBytes() {
        return pinnedBytes.get();
    }

    /** Completes when every write queued before this call is stored in L3 or the WAL. */
    public CompletableFuture<Void> flushAll() {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (PendingWrite write : queue) {
            waits.add(write.stored());
        }
        // A batch the flusher already took off the queue is only visible here until it is released.
        for (PendingWrite write : pendingById.values()) {
            waits.add(write.stored());
        }
        wake(true);
        return CompletableFuture.allOf(waits.toArray(new CompletableFuture[0]));
    }

    /** Flushes everything and stops the flusher; what L3 cannot take stays in the WAL for the next start. */
    public void stop() {
        stopping = true;
        wake(true);
        try {
            flusher.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (flusher.isAlive()) {
            LOG.error("the flusher did not stop within 60 s; {} writes are still queued", queuedCount.get());
        }
    }

    /** A read of L3 that needs several statements to see one state: the flusher does not write L3 meanwhile. */
    public <T> T whileL3Unchanged(TierRead<T> read) throws TierAccessException {
        l3Changes.readLock().lock();
        try {
            return read.run();
        } finally {
            l3Changes.readLock().unlock();
        }
    }

    /** A multi-statement tier read. */
    @FunctionalInterface
    public interface TierRead<T> {
        T run() throws TierAccessException;
    }

    public long flushes() {
        return flushes.sum();
    }

    public long itemsFlushed() {
        return itemsFlushed.sum();
    }

    public long itemsJournaled() {
        return itemsJournaled.sum();
    }

    public long itemsDrained() {
        return itemsDrained.sum();
    }

    private void wake(boolean urgent) {
        if (urgent) {
            expedite = true;
        }
        LockSupport.unpark(flusher);
    }

    private void flushLoop() {
        long flushNanos = TimeUnit.MILLISECONDS.toNanos(config.batchFlushMs());
        while (true) {
            boolean last = stopping;
            try {
                PendingWrite oldest = queue.peek();
                boolean due = oldest != null && (expedite || last
                        || System.nanoTime() - oldest.enqueuedNanos() >= flushNanos);
                if (due) {
                    expedite = false;
                    flushQueued();
                }
                if (walBacklog && l3Breaker.allowsCall()) {
                    drainOneBatch();
                }
                repairCacheTier();
                purgeExpiredOccasionally();
                rebalanceL1();
            } catch (RuntimeException e) {
                LOG.error("flusher pass failed; retrying", e);
            }
            if (last && queue.isEmpty()) {
                return;
            }
            if (!expedite && !(walBacklog && l3Breaker.state() != CircuitBreaker.State.OPEN)) {
                PendingWrite oldest = queue.peek();
                long wait = oldest == null ? flushNanos
                        : Math.max(0, flushNanos - (System.nanoTime() - oldest.enqueuedNanos()));
                if (walBacklog || cacheTierRepairsOwed() > 0) {
                    wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(config.sqlRetryBackoffMs()));
                }
                LockSupport.parkNanos(this, Math.max(wait, 100_000));
            }
        }
    }

    private void flushQueued() {
        List<PendingWrite> batch = new ArrayList<>();
        for (PendingWrite write; (write = queue.poll()) != null; ) {
            batch.add(write);
        }
        if (batch.isEmpty()) {
            return;
        }
        queuedCount.addAndGet(-batch.size());
        Map<String, PendingWrite> newest = new HashMap<>();
        for (PendingWrite write : batch) {
            newest.merge(write.id(), write, (old, neu) -> neu.version() >= old.version() ? neu : old);
        }
        List<PendingWrite> toL3 = l3 == null ? List.of() : new ArrayList<>(newest.values());
        List<TierWrite> toL2 = new ArrayList<>(newest.size());
        if (l2 != null) {
            for (PendingWrite write : newest.values()) {
                toL2.add(forTier(write.write(), write.sharedTiers(), Tier.L2));
            }
            if (!toL3.isEmpty()) {
                // Dying between the L3 commit and the L2 write would leave L2 an older copy nobody owes to remove.
                l2Repairs.intend(toL2);
            }
        }
        if (!toL3.isEmpty()) {
            if (!walBacklog && l3Breaker.allowsCall() && writeToL3(toL3)) {
                itemsFlushed.add(toL3.size());
                // A write overtaken in this batch by a newer one for its id is in L3 too (as that newer version).
                for (PendingWrite write : batch) {
                    if (write.walSeq() != null && newest.get(write.id()) != write) {
                        write.walSeq().thenAccept(wal::markApplied);
                    }
                }
            } else {
                journal(toL3);
            }
        }
        if (l2 != null) {
            repairCacheTier();
            if (writeToCacheTier(toL2) && !toL3.isEmpty()) {
                l2Repairs.delivered(toL2);
            }
        }
        flushes.increment();
        for (PendingWrite write : batch) {
            release(write);
        }
    }

    /** L2 is a cache: a write it cannot take is not retried but owed as an invalidation, paid before L2 is read. */
    private boolean writeToCacheTier(List<TierWrite> writes) {
        if (l2Repairs.isEmpty() && l2Breaker.allowsCall()) {
            try {
                // Without L3, L2 is the ground truth that overlaid counts read: the same guard as L3 writes.
                l3Changes.writeLock().lock();
                try {
                    l2.apply(writes);
                } finally {
                    l3Changes.writeLock().unlock();
                }
                l2Breaker.recordSuccess();
                return true;
            } catch (TierAccessException e) {
                l2Breaker.recordFailure();
                LOG.warn("L2 refused a batch of {} writes; they are owed as invalidations ({}, breaker {})",
                        writes.size(), e.getMessage(), l2Breaker.state());
            }
        }
        l2Repairs.owe(writes);
        return false;
    }

    /** Pays owed L2 invalidations once L2 answers again. */
    private void repairCacheTier() {
        if (l2 == null || l2Repairs.isEmpty() || !l2Breaker.allowsCall()) {
            return;
        }
        List<TierWrite.Delete> owed = l2Repairs.next(1000);
        try {
            l2.apply(owed);
            l2Breaker.recordSuccess();
            l2Repairs.paid(owed);
            if (l2Repairs.isEmpty()) {
                LOG.info("L2 is repaired: every invalidation owed while it was unavailable has been applied");
            }
        } catch (TierAccessException e) {
            l2Breaker.recordFailure();
        }
    }

    private boolean writeToL3(List<PendingWrite> writes) {
        List<TierWrite> tierWrites = new ArrayList<>(writes.size());
        for (PendingWrite write : writes) {
            tierWrites.add(forTier(write.write(), write.sharedTiers(), Tier.L3));
        }
        try {
            applyToL3(tierWrites);
            l3Breaker.recordSuccess();
        } catch (TierAccessException e) {
            l3Breaker.recordFailure();
            LOG.warn("L3 refused a batch of {} writes; journaling them to the local WAL ({}, breaker {})",
                    writes.size(), e.getMessage(), l3Breaker.state());
            return false;
        }
        for (PendingWrite write : writes) {
            CompletableFuture<Long> seq = write.walSeq();
            if (seq != null) {
                seq.thenAccept(wal::markApplied);
            }
        }
        return true;
    }

    private void journal(List<PendingWrite> writes) {
        if (wal == null) {
            throw new IllegalStateException("L3 is unavailable and there is no local WAL to hold "
                    + writes.size() + " writes");
        }
        walBacklog = true;
        List<CompletableFuture<Long>> seqs = new ArrayList<>(writes.size());
        for (PendingWrite write : writes) {
            CompletableFuture<Long> seq = write.walSeq();
            if (seq == null || seq.isCompletedExceptionally()) {
                write.journaled(wal.append(write.write(), write.sharedTiers()));
            }
            seqs.add(write.walSeq());
        }
        // The drain must see these entries, and they must be on disk before memory lets go of them.
        try {
            CompletableFuture.allOf(seqs.toArray(new CompletableFuture[0])).join();
            itemsJournaled.add(writes.size());
        } catch (RuntimeException e) {
            LOG.error("L3 and the local WAL both refused a batch of {} writes; they are lost", writes.size(), e);
            for (PendingWrite write : writes) {
                write.stored().completeExceptionally(e);
            }
        }
    }

    /** A write left memory: acknowledge it, and stop pinning it unless a newer write for its id came since. */
    private void release(PendingWrite write) {
        pendingById.remove(write.id(), write);
        pinnedBytes.addAndGet(-write.bytes());
        write.stored().complete(null);
    }

    /** Applies the next WAL entries to L3 in order; false when the WAL is empty or L3 failed. */
    private boolean drainOneBatch() {
        List<WalEntry> entries = wal.readAfter(drainCursor, config.walDrainBatchSize());
        if (entries.isEmpty()) {
            l3Breaker.probeUnused();
            walBacklog = false;
            drainCursor = 0;
            LOG.info("local WAL drained into L3 ({} writes replayed)", itemsDrained.sum());
            return false;
        }
        List<TierWrite> writes = new ArrayList<>(entries.size());
        for (WalEntry entry : entries) {
            writes.add(forTier(entry.write(), entry.sharedTiers(), Tier.L3));
        }
        try {
            applyToL3(writes);
            l3Breaker.recordSuccess();
        } catch (TierAccessException e) {
            l3Breaker.recordFailure();
            LOG.warn("L3 is still unavailable; {} writes wait in the local WAL ({})", wal.depth(), e.getMessage());
            return false;
        }
        for (WalEntry entry : entries) {
            wal.markApplied(entry.seq());
        }
        drainCursor = entries.get(entries.size() - 1).seq();
        itemsDrained.add(entries.size());
        return true;
    }

    private void applyToL3(List<TierWrite> writes) throws TierAccessException {
        l3Changes.writeLock().lock();
        try {
            l3.apply(writes);
        } finally {
            l3Changes.writeLock().unlock();
        }
    }

    private void purgeExpiredOccasionally() {
        if (l3 == null || System.nanoTime() - lastPurgeNanos < PURGE_INTERVAL_NANOS || walBacklog) {
            return;
        }
        lastPurgeNanos = System.nanoTime();
        if (!l3Breaker.allowsCall()) {
            return;
        }
        try {
            long purged = l3.purgeExpired(config.timeSource().currentTimeMillis());
            l3Breaker.recordSuccess();
            if (purged > 0) {
                LOG.debug("purged {} expired items from L3", purged);
            }
        } catch (TierAccessException e) {
            l3Breaker.recordFailure();
        }
    }

    /** Clean L1 entries give way to pinned writes, so L1 plus the queue stay within the memory budget. */
    private void rebalanceL1() {
        long target = config.l1MaxBytes() - pinnedBytes.get();
        if (Math.abs(l1.maximumBytes() - target) > config.l1MaxBytes() / 100) {
            l1.setMaximumBytes(target);
        }
    }
}
