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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
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
    private static final int OPTIMISTIC_READS = 8;

    private final SyncEngineConfig config;
    private final ItemTier l3;
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
    private final ReentrantReadWriteLock l3Writes = new ReentrantReadWriteLock(true);
    /** Odd while a batch is being applied to L3; changes with every batch. */
    private final AtomicLong l3Epoch = new AtomicLong();
    private final Thread flusher;
    private volatile boolean expedite;
    private volatile boolean stopping;
    private volatile boolean walBacklog;
    private long drainCursor;
    private long lastPurgeNanos = System.nanoTime();

    public WriteBehind(SyncEngineConfig config, ItemTier l3, LocalWal wal, MemoryTier l1, CircuitBreaker l3Breaker) {
        this.config = config;
        this.l3 = l3;
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
        while (walBacklog && l3Breaker.allowsCall()) {
            if (!drainOneBatch()) {
                break;
            }
        }
        // A ready engine must not report the replayed entries as still waiting.
        wal.commitApplied();
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

    /** Reads that need several L3 queries to see one state. */
    @FunctionalInterface
    public interface L3Reads<T> {
        T run() throws TierAccessException;
    }

    /**
     * Runs {@code reads} so that no batch lands in L3 while they run: optimistically first (retrying when a batch
     * landed meanwhile), and after a few tries by holding batches back, so a busy flusher cannot starve the reader.
     */
    public <T> T readConsistently(L3Reads<T> reads) throws TierAccessException {
        for (int attempt = 0; attempt < OPTIMISTIC_READS; attempt++) {
            long before = l3Epoch.get();
            if ((before & 1) == 0) {
                T result = reads.run();
                if (l3Epoch.get() == before) {
                    return result;
                }
            }
            Thread.onSpinWait();
        }
        Lock quiet = l3Writes.readLock();
        quiet.lock();
        try {
            return reads.run();
        } finally {
            quiet.unlock();
        }
    }

    /** Whether the WAL holds writes L3 does not have yet, so reads must look there before L3. */
    public boolean hasWalBacklog() {
        return walBacklog;
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
        return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]));
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
                if (walBacklog) {
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
        List<PendingWrite> toL3 = new ArrayList<>();
        for (PendingWrite write : newest.values()) {
            if (l3 != null && write.sharedTiers().contains(Tier.L3)) {
                toL3.add(write);
            }
        }
        if (!toL3.isEmpty()) {
            if (!walBacklog && l3Breaker.allowsCall() && writeToL3(toL3)) {
                itemsFlushed.add(toL3.size());
                // Older writes the batch superseded were journaled too; L3 holding the newest makes them moot.
                for (PendingWrite write : batch) {
                    CompletableFuture<Long> seq = write.walSeq();
                    if (seq != null) {
                        seq.thenAccept(wal::markApplied);
                    }
                }
            } else {
                journal(toL3);
            }
        }
        flushes.increment();
        for (PendingWrite write : batch) {
            release(write);
        }
    }

    private boolean writeToL3(List<PendingWrite> writes) {
        List<TierWrite> tierWrites = new ArrayList<>(writes.size());
        for (PendingWrite write : writes) {
            tierWrites.add(write.write());
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
        return true;
    }

    private void applyToL3(List<TierWrite> writes) throws TierAccessException {
        l3Writes.writeLock().lock();
        l3Epoch.incrementAndGet();
        try {
            l3.apply(writes);
        } finally {
            l3Epoch.incrementAndGet();
            l3Writes.writeLock().unlock();
        }
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
            CompletableFuture.allOf(seqs.toArray(new CompletableFuture<?>[0])).join();
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
            walBacklog = false;
            drainCursor = 0;
            LOG.info("local WAL drained into L3 ({} writes replayed)", itemsDrained.sum());
            return false;
        }
        List<TierWrite> writes = new ArrayList<>(entries.size());
        for (WalEntry entry : entries) {
            if (entry.sharedTiers().contains(Tier.L3)) {
                writes.add(entry.write());
            }
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
