package io.tiercache.engine.internal;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.Tier;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.redis.RedisCdcStream;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import io.tiercache.engine.wal.LocalWal;
import io.tiercache.engine.wal.WalEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 *
 * <p>The count, byte and age triggers are paced by the flusher's CPU time: after a batch, the next one waits
 * {@link #PACING} times as long as the last one kept the flusher's thread busy, never longer than
 * {@code batchFlushMs}. Under a stream of overwrites this is what lets the queue coalesce and leaves the writers
 * their cores: unpaced, an L3 that costs CPU per row (SQLite runs in this process) has the flusher start the next
 * batch the moment the last ends, write nearly every overwrite as a row of its own and keep a core busy. Paced, the
 * flusher uses at most a quarter of a core while its batches take under a third of {@code batchFlushMs}, and a
 * write waits at most {@code batchFlushMs} for its batch to start once a trigger fired, as unpaced; an L3 that
 * mostly waits on the network is barely paced at all. A DURABLE write, an explicit flush, shutdown and memory
 * pressure at {@code backpressureWarn} or above are never paced.
 *
 * <p>A batch the flusher starts by itself hands each id that was being overwritten through its L1 entry on to a
 * continuation ({@link PendingWrite#takeCarryingOn}), queued for the next batch: the writes that follow keep being
 * absorbed by the entry, where otherwise each hot id's next writer would queue it again after every batch (its lock
 * stripe, the existence filter, the queue: as much CPU per batch as the batch's own SQL). A continuation that
 * absorbed nothing is dropped by the next batch without a row. A batch asked for carries nothing on.
 */
public final class WriteBehind {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBehind.class);
    private static final long PURGE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long EVICTION_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int OPTIMISTIC_READS = 8;
    /** A paced batch waits this many times the CPU the last one took: the flusher's share of a core is 1/(1+this). */
    private static final long PACING = 3;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final SyncEngineConfig config;
    private final ItemTier l3;
    private final ItemTier l2;
    private final CircuitBreaker l2Breaker;
    private final CacheTierRepairs l2Repairs;
    private final Coherence coherence;
    private volatile RedisCdcStream cdc;
    private volatile CdcOpener cdcOpener;
    private final LongAdder cdcFailures = new LongAdder();
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
    private final Thread drainer;
    /** Makes "the WAL is empty, so the backlog is over" and "journal a batch" exclude each other. */
    private final Object backlogLock = new Object();
    private volatile Runnable onCacheTierRepaired = () -> { };
    private volatile boolean expedite;
    /** The count or byte trigger fired: a batch is due once pacing allows. */
    private volatile boolean batchFull;
    /** Before this ({@code System.nanoTime}), a batch only a count, byte or age trigger asks for waits. */
    private long pacedUntilNanos = System.nanoTime();
    private volatile boolean stopping;
    private volatile boolean walBacklog;
    private long drainCursor;
    private long lastPurgeNanos = System.nanoTime();
    private long lastEvictionNanos = System.nanoTime();

    public WriteBehind(SyncEngineConfig config, ItemTier l3, LocalWal wal, MemoryTier l1, CircuitBreaker l3Breaker) {
        this(config, l3, wal, l1, l3Breaker, null, null, null, null);
    }

    /** With a cache tier (L2): writes go there after L3, and what cannot reach it is owed as an invalidation. */
    public WriteBehind(SyncEngineConfig config, ItemTier l3, LocalWal wal, MemoryTier l1, CircuitBreaker l3Breaker,
                       ItemTier l2, CircuitBreaker l2Breaker, CacheTierRepairs l2Repairs, Coherence coherence) {
        this.config = config;
        this.l3 = l3;
        this.l2 = l2;
        this.l2Breaker = l2Breaker;
        this.l2Repairs = l2Repairs;
        this.coherence = coherence;
        this.wal = wal;
        this.l1 = l1;
        this.l3Breaker = l3Breaker;
        this.walBacklog = wal != null && wal.depth() > 0;
        this.flusher = new Thread(this::flushLoop, "tiercache-flusher");
        this.flusher.setDaemon(true);
        this.drainer = new Thread(this::drainLoop, "tiercache-wal-drainer");
        this.drainer.setDaemon(true);
    }

    /** Opens the CDC stream; throws while Redis does not answer. */
    @FunctionalInterface
    public interface CdcOpener {
        RedisCdcStream open() throws TierAccessException;
    }

    /** Appends every change applied to the ground truth to the CDC stream, opened when Redis first answers. */
    public void publishChangesTo(CdcOpener opener) {
        this.cdcOpener = opener;
    }

    /** The CDC stream if it was opened (for closing). */
    public RedisCdcStream cdcStream() {
        return cdc;
    }

    /** Batches the CDC stream could not take (Redis unavailable); consumers resynchronize from the ground truth. */
    public long cdcFailures() {
        return cdcFailures.sum();
    }

    private void publishApplied(List<? extends TierWrite> writes) {
        if (cdcOpener == null || writes.isEmpty()) {
            return;
        }
        try {
            RedisCdcStream stream = cdc;
            if (stream == null) {
                stream = cdcOpener.open();
                cdc = stream;
            }
            stream.publish(writes);
        } catch (TierAccessException e) {
            cdcFailures.increment();
            LOG.warn("the CDC stream missed a batch of {} applied changes: {}", writes.size(), e.getMessage());
        }
    }

    public void start() {
        flusher.start();
        if (wal != null && l3 != null) {
            drainer.start();
        }
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

    /**
     * Queues a write that L1 already holds; becomes the pending write for its id. A still-queued MEMORY write of the
     * same id takes it over instead ({@link PendingWrite#absorb}): the queue and the next batch hold the id once.
     * Returns the id's pending write afterwards (this one, the one that absorbed it, or a newer one).
     */
    public PendingWrite enqueue(PendingWrite write) {
        int[] absorbed = {PendingWrite.NOT_ABSORBED};
        PendingWrite current = pendingById.compute(write.id(), (id, old) -> {
            if (old == null) {
                return write;
            }
            absorbed[0] = old.absorb(write);
            if (absorbed[0] != PendingWrite.NOT_ABSORBED) {
                return old;
            }
            // Whichever is not the id's pending write any more takes nothing over from now on.
            if (old.version() > write.version()) {
                write.retire();
                return old;
            }
            old.retire();
            return write;
        });
        if (absorbed[0] != PendingWrite.NOT_ABSORBED) {
            pinnedBytes.addAndGet(absorbed[0]);
            return current;
        }
        queue.add(write);
        int count = queuedCount.incrementAndGet();
        long bytes = pinnedBytes.addAndGet(write.bytes());
        if (write.durability() == Durability.DURABLE) {
            wake();
        } else if ((count >= config.batchFlushCount() || bytes >= config.batchFlushBytes()) && !batchFull) {
            batchFull = true;
            LockSupport.unpark(flusher);
        }
        return current;
    }

    /**
     * The common case under overwrites, before a {@link PendingWrite} is made for a MEMORY {@code write}: the id's
     * queued MEMORY write takes it over ({@link PendingWrite#absorb}), without the map's bin lock; with
     * {@code onlyIntoUpsert}, only if that queued write is an upsert. False: enqueue it.
     */
    public boolean absorbIntoQueued(TierWrite write, Set<Tier> routing, boolean onlyIntoUpsert) {
        PendingWrite queued = pendingById.get(write.id());
        return queued != null && absorbInto(queued, write, routing, onlyIntoUpsert);
    }

    /** {@link #absorbIntoQueued} into {@code queued}, a pending write of the id the caller kept. */
    public boolean absorbInto(PendingWrite queued, TierWrite write, Set<Tier> routing, boolean onlyIntoUpsert) {
        int delta = queued.absorb(write, routing, onlyIntoUpsert);
        if (delta == PendingWrite.NOT_ABSORBED) {
            return false;
        }
        if (delta != 0) {
            pinnedBytes.addAndGet(delta);
        }
        return true;
    }

    /** A queued write's pinned bytes changed by {@code delta} (it absorbed a write of another size). */
    public void pinned(int delta) {
        if (delta != 0) {
            pinnedBytes.addAndGet(delta);
        }
    }

    /** The newest write for {@code id} not yet stored in L3 or the WAL. */
    public PendingWrite pending(String id) {
        return pendingById.get(id);
    }

    /** Another node wrote {@code version} of {@code id}: an older queued write of this node is no longer the newest. */
    public void supersede(String id, long version) {
        PendingWrite queued = pendingById.get(id);
        if (queued != null && queued.version() < version) {
            queued.markSuperseded();
        }
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

    /** Runs {@code listener} (on the flusher thread: it must only hand work off) once L2 has paid what it owed. */
    public void onCacheTierRepaired(Runnable listener) {
        this.onCacheTierRepaired = listener;
    }

    /**
     * Runs {@code work} while no batch is applied to L3. The flusher writes L2 after L3, so a repair that reads L3
     * and then writes L2 under this lock cannot put back a copy older than one a batch is about to write.
     */
    public <T> T withL3Quiet(L3Reads<T> work) throws TierAccessException {
        Lock quiet = l3Writes.readLock();
        quiet.lock();
        try {
            return work.run();
        } finally {
            quiet.unlock();
        }
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
        // A batch the flusher began by itself may hand hot ids on to continuations queued after the snapshot below:
        // one more round takes those, and an asked-for batch carries nothing on.
        return flushQueuedNow().thenCompose(ignored -> flushQueuedNow());
    }

    private CompletableFuture<Void> flushQueuedNow() {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (PendingWrite write : queue) {
            waits.add(write.stored());
        }
        // A batch the flusher already took off the queue is only visible here until it is released.
        for (PendingWrite write : pendingById.values()) {
            waits.add(write.stored());
        }
        if (waits.isEmpty()) {
            // Nothing to hurry: a request left set would make the flusher's next batch, whenever due, one asked for.
            return CompletableFuture.completedFuture(null);
        }
        wake();
        return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]));
    }

    /** Flushes everything and stops the flusher; what L3 cannot take stays in the WAL for the next start. */
    public void stop() {
        stopping = true;
        wake();
        try {
            flusher.join(TimeUnit.SECONDS.toMillis(60));
            LockSupport.unpark(drainer);
            if (drainer.isAlive()) {
                drainer.join(TimeUnit.SECONDS.toMillis(10 + 3 * config.sqlTimeoutMs() / 1000));
            }
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

    /** Asks the flusher to flush now instead of waiting for a count, size or age trigger. */
    public void expedite() {
        wake();
    }

    /** This thread's CPU time, or 0 where the JVM cannot measure it (then nothing is paced). */
    private static long flusherCpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }

    private boolean underMemoryPressure() {
        return pinnedBytes.get() >= config.backpressureWarn() * config.l1MaxBytes();
    }

    private void wake() {
        expedite = true;
        LockSupport.unpark(flusher);
    }

    private void flushLoop() {
        long flushNanos = TimeUnit.MILLISECONDS.toNanos(config.batchFlushMs());
        while (true) {
            boolean last = stopping;
            // Taken before looking at the queue, so a request to hurry is used once: left set while the queue is
            // empty, it kept this loop from ever parking (one core spun until the next queued write).
            boolean hurry = expedite;
            expedite = false;
            try {
                PendingWrite oldest = queue.peek();
                long now = System.nanoTime();
                boolean triggered = batchFull || (oldest != null && now - oldest.enqueuedNanos() >= flushNanos);
                boolean due = oldest != null && (hurry || last
                        || triggered && (now - pacedUntilNanos >= 0 || underMemoryPressure()));
                if (due) {
                    batchFull = false;
                    long cpuBefore = flusherCpuNanos();
                    flushQueued(!hurry && !last);
                    pacedUntilNanos = System.nanoTime()
                            + Math.min(PACING * (flusherCpuNanos() - cpuBefore), flushNanos);
                }
                repairCacheTier();
                evictCacheTierOccasionally();
                purgeExpiredOccasionally();
                rebalanceL1();
            } catch (RuntimeException e) {
                LOG.error("flusher pass failed; retrying", e);
            }
            if (last && queue.isEmpty()) {
                return;
            }
            if (!expedite) {
                PendingWrite oldest = queue.peek();
                long now = System.nanoTime();
                long wait = flushNanos;
                if (oldest != null) {
                    long untilTriggered = batchFull ? 0 : Math.max(0, flushNanos - (now - oldest.enqueuedNanos()));
                    wait = Math.max(untilTriggered, pacedUntilNanos - now);
                }
                if (cacheTierRepairsOwed() > 0) {
                    wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(config.sqlRetryBackoffMs()));
                }
                LockSupport.parkNanos(this, Math.max(wait, 100_000));
            }
        }
    }

    /**
     * Replays the WAL into L3 on a thread of its own: probing a dead L3 can take the whole connection timeout, and
     * the flusher must keep journaling (and so acknowledging DURABLE writes) meanwhile.
     */
    private void drainLoop() {
        long backoffNanos = TimeUnit.MILLISECONDS.toNanos(config.sqlRetryBackoffMs());
        while (!stopping) {
            boolean progressed = false;
            try {
                if (walBacklog && l3Breaker.allowsCall()) {
                    progressed = drainOneBatch();
                }
            } catch (RuntimeException e) {
                LOG.error("WAL drain pass failed; retrying", e);
            }
            if (!progressed) {
                LockSupport.parkNanos(this, backoffNanos);
            }
        }
    }

    /**
     * Writes what is queued as one batch. {@code carryOn}: the writes of ids still being overwritten go on being
     * carried by their L1 entries for the next batch; false for a flush asked for (an explicit flush, a DURABLE
     * write, shutdown), which leaves nothing queued that was not written after it began.
     */
    private void flushQueued(boolean carryOn) {
        List<PendingWrite> taken = new ArrayList<>();
        for (PendingWrite write; (write = queue.poll()) != null; ) {
            taken.add(write);
        }
        if (taken.isEmpty()) {
            return;
        }
        List<PendingWrite> batch = new ArrayList<>(taken.size());
        int carriedOn = 0;
        for (PendingWrite write : taken) {
            carriedOn += take(write, carryOn) ? 1 : 0;
            if (write.carriesNothingNew()) {
                release(write);
            } else {
                batch.add(write);
            }
        }
        queuedCount.addAndGet(carriedOn - taken.size());
        if (batch.isEmpty()) {
            return;
        }
        Map<String, PendingWrite> newest = new HashMap<>();
        for (PendingWrite write : batch) {
            newest.merge(write.id(), write, (old, neu) -> neu.version() >= old.version() ? neu : old);
        }
        List<PendingWrite> toL3 = l3 == null ? List.of() : new ArrayList<>(newest.values());
        List<TierWrite> toL2 = new ArrayList<>(newest.size());
        Set<String> cacheOnly = new java.util.HashSet<>();
        if (l2 != null) {
            for (PendingWrite write : newest.values()) {
                toL2.add(forTier(write.write(), write.sharedTiers(), Tier.L2));
                if (l3 != null && !write.sharedTiers().contains(Tier.L3)
                        && write.write() instanceof TierWrite.Upsert) {
                    cacheOnly.add(write.id());
                }
            }
            if (!toL3.isEmpty()) {
                // Dying between the L3 commit and the L2 write would leave L2 an older copy nobody owes to remove.
                l2Repairs.intend(toL2);
            }
        }
        if (!toL3.isEmpty()) {
            if (!walBacklog && l3Breaker.allowsCall() && writeToL3(toL3)) {
                itemsFlushed.add(toL3.size());
                // Every journaled write of the batch is in L3 now, the overtaken ones as their id's newer version.
                for (PendingWrite write : batch) {
                    if (write.walSeq() != null) {
                        write.walSeq().thenAccept(wal::markApplied);
                    }
                }
            } else {
                journal(toL3);
            }
        }
        if (l2 != null) {
            repairCacheTier();
            if (writeToCacheTier(toL2, cacheOnly) && !toL3.isEmpty()) {
                l2Repairs.delivered(toL2);
            }
        }
        flushes.increment();
        for (PendingWrite write : batch) {
            release(write);
        }
    }

    /** L2 is a cache: a write it cannot take is not retried but owed as an invalidation, paid before L2 is read. */
    private boolean writeToCacheTier(List<TierWrite> writes, Set<String> cacheOnlyIds) {
        if (l2Repairs.isEmpty() && l2Breaker.allowsCall()) {
            try {
                if (l3 == null) {
                    // Without L3, L2 is the ground truth that overlaid counts read.
                    changeGroundTruth(l2, writes);
                } else if (cacheOnlyIds.isEmpty()) {
                    l2.apply(writes);
                } else {
                    // Items L3 does not hold stay out of L2's merkle trees, so reconciliation leaves them alone.
                    l2.apply(writes.stream().filter(w -> !cacheOnlyIds.contains(w.id())).toList());
                    l2.applyCacheOnly(writes.stream().filter(w -> cacheOnlyIds.contains(w.id())).toList());
                }
                if (coherence != null) {
                    coherence.publish(writes);
                }
                if (l3 == null) {
                    publishApplied(writes);
                }
                l2Breaker.recordSuccess();
                return true;
            } catch (TierAccessException e) {
                l2Breaker.recordFailure();
                // A full Redis refuses writes: evict now rather than at the next scheduled pass.
                lastEvictionNanos = System.nanoTime() - EVICTION_INTERVAL_NANOS;
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
            if (coherence != null) {
                coherence.announceChanged(owed);
            }
            l2Breaker.recordSuccess();
            l2Repairs.paid(owed);
            if (l2Repairs.isEmpty()) {
                LOG.info("L2 is repaired: every invalidation owed while it was unavailable has been applied");
                onCacheTierRepaired.run();
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
            publishApplied(tierWrites);
        } catch (TierAccessException e) {
            l3Breaker.recordFailure();
            LOG.warn("L3 refused a batch of {} writes; journaling them to the local WAL ({}, breaker {})",
                    writes.size(), e.getMessage(), l3Breaker.state());
            return false;
        }
        return true;
    }

    private void applyToL3(List<TierWrite> writes) throws TierAccessException {
        changeGroundTruth(l3, writes);
    }

    /** Applies a batch to the tier counts are read from, so {@link #readConsistently} notices it. */
    private void changeGroundTruth(ItemTier tier, List<? extends TierWrite> writes) throws TierAccessException {
        l3Writes.writeLock().lock();
        l3Epoch.incrementAndGet();
        try {
            tier.apply(writes);
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
        synchronized (backlogLock) {
            walBacklog = true;
            appendAndWait(writes);
        }
        LockSupport.unpark(drainer);
    }

    private void appendAndWait(List<PendingWrite> writes) {
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

    /**
     * Takes {@code write} for the batch. With {@code carryOn}, one its id's L1 entry carries, with writes absorbed
     * since, hands the entry on to a continuation ({@link PendingWrite#takeCarryingOn}) that becomes the id's
     * pending write in the same step, so a reader finds either one carrying the newest write; it is queued for the
     * next batch, and true returned.
     */
    private boolean take(PendingWrite write, boolean carryOn) {
        if (!carryOn || !write.carried()) {
            write.take();
            return false;
        }
        PendingWrite[] next = {null};
        pendingById.compute(write.id(), (id, current) -> {
            if (current != write) {
                write.take();
                return current;
            }
            next[0] = write.takeCarryingOn();
            return next[0] != null ? next[0] : current;
        });
        if (next[0] == null) {
            return false;
        }
        queue.add(next[0]);
        return true;
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
            synchronized (backlogLock) {
                // A batch journaled since the read above keeps the backlog open for the next pass.
                if (!wal.readAfter(drainCursor, 1).isEmpty()) {
                    return true;
                }
                walBacklog = false;
                drainCursor = 0;
            }
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
            publishApplied(writes);
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

    /** Keeps Redis below its memory limit by the engine's own LRU, only when L3 holds everything L2 may drop. */
    private void evictCacheTierOccasionally() {
        // Not gated by the breaker: a Redis at its memory limit refuses writes, and eviction is what ends that.
        if (l2 == null || l3 == null || !config.redisEvictionEnabled()
                || System.nanoTime() - lastEvictionNanos < EVICTION_INTERVAL_NANOS) {
            return;
        }
        lastEvictionNanos = System.nanoTime();
        try {
            long evicted = l2.evictIfNeeded();
            if (evicted > 0) {
                LOG.info("evicted {} least recently used items from L2 to stay under redisEvictionTarget", evicted);
            }
        } catch (TierAccessException e) {
            LOG.debug("L2 eviction pass failed: {}", e.getMessage());
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
