package io.tiercache.engine;

import io.tiercache.engine.cdc.CdcEvent;
import io.tiercache.engine.internal.CacheTierRepairs;
import io.tiercache.engine.internal.MerkleQueries;
import io.tiercache.engine.internal.MerkleSetup;
import io.tiercache.engine.internal.SyncScheduler;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.internal.CircuitBreaker;
import io.tiercache.engine.internal.Coherence;
import io.tiercache.engine.internal.Coordinator;
import io.tiercache.engine.internal.ExistenceFilter;
import io.tiercache.engine.internal.ReconnectingTier;
import io.tiercache.engine.internal.HybridLogicalClock;
import io.tiercache.engine.internal.OverlayQueries;
import io.tiercache.engine.internal.PendingWrite;
import io.tiercache.engine.internal.ReadPath;
import io.tiercache.engine.internal.Routing;
import io.tiercache.engine.internal.WriteBehind;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.redis.RedisCdcStream;
import io.tiercache.engine.redis.RedisTier;
import io.tiercache.engine.sql.SqlTier;
import io.tiercache.engine.sql.SqlTiers;
import io.tiercache.engine.tier.CoordinatingTier;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import io.tiercache.engine.wal.LocalWal;
import io.tiercache.engine.wal.RepairJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The tiered sync engine: items live in L1 memory, are written behind in batches to the shared tiers, and are read
 * back through the tiers fastest first, promoting what lower tiers return.
 *
 * <pre>{@code
 * try (SyncEngine engine = SyncEngine.start(SyncEngineConfig.builder().dataDir(Path.of("data")).build())) {
 *     engine.submit("users/42", "{\"name\":\"Ada\"}".getBytes(UTF_8)).join();
 *     SyncItem item = engine.get("users/42").orElseThrow();
 *     List<SyncItem> users = engine.scanPrefix("users/", 100);
 * }
 * }</pre>
 *
 * <p>Every operation is safe from many threads. Writes return a future that completes at the write's
 * {@link Durability}; reads block. Operations before {@link #start()} or after {@link #shutdown()} throw
 * {@link IllegalStateException}, except the probes ({@link #state()}, {@link #healthCheck()},
 * {@link #memoryPressure()}, {@link #pressure()}, {@link #shouldAcceptWrites()}), which answer in every state so a
 * health endpoint can report a stopped engine instead of failing.
 */
public final class SyncEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    private static final int LOCK_STRIPES = 1024;
    private static final int PAGE = 1000;
    private static final long MAX_SHARED_TIME_UNCERTAINTY_MS = 1_000;

    private final SyncEngineConfig config;
    private final TimeSource time;
    private final HybridLogicalClock clock;
    private final MemoryTier l1;
    private final CircuitBreaker l3Breaker;
    private final CircuitBreaker l2Breaker;
    private final ReentrantLock[] stripes = new ReentrantLock[LOCK_STRIPES];
    /**
     * 1 while a writer holds the stripe of the same index ({@link #lockId}): what a write through an L1 entry reads
     * instead of the lock itself, one int of a 4 KiB array rather than two objects per stripe.
     */
    private final AtomicIntegerArray stripeHeld = new AtomicIntegerArray(LOCK_STRIPES);
    /**
     * Set by shutdown before it waits out the writes in progress. Every write enters L1 and the queue holding its
     * id's lock ({@link #lockFor}), so taking each lock once after setting this is that wait.
     */
    private volatile boolean writesClosed;
    private final List<EngineStateListener> listeners = new CopyOnWriteArrayList<>();
    private volatile EngineState state = EngineState.CREATED;
    private SqlTier l3;
    private LocalWal wal;
    private ItemTier l2;
    private RepairJournal repairJournal;
    private ExecutorService l2Filler;
    private Coherence coherence;
    private WriteBehind writeBehind;
    private OverlayQueries queries;
    private ReadPath reads;
    private Coordinator coordinator;
    private ExistenceFilter existence;
    private MerkleQueries merkle;
    private SyncScheduler syncScheduler;

    private SyncEngine(SyncEngineConfig config) {
        this.config = config;
        this.time = config.timeSource();
        this.clock = new HybridLogicalClock(time);
        this.l1 = new MemoryTier(config.l1MaxBytes(), time);
        this.l3Breaker = new CircuitBreaker("L3", time, 1, config.sqlRetryBackoffMs(), 30_000);
        this.l2Breaker = new CircuitBreaker("L2", time, 1, config.sqlRetryBackoffMs(), 30_000);
        for (int i = 0; i < LOCK_STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** A new engine in state {@link EngineState#CREATED}; nothing is opened until {@link #start()}. */
    public static SyncEngine create(SyncEngineConfig config) {
        return new SyncEngine(config);
    }

    /** Creates and starts an engine. */
    public static SyncEngine start(SyncEngineConfig config) {
        SyncEngine engine = create(config);
        engine.start();
        return engine;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Opens the tiers in the order that loses nothing: the local WAL, then L3, then replays the WAL into L3, then
     * starts the flusher. An L3 that cannot be opened (its schema created, its highest version read) fails the start
     * with an {@link IllegalStateException} naming it, within its timeouts; once started, an L3 outage does not stop
     * the engine: it runs degraded, journaling writes to the WAL until L3 answers. Redis may be down at start.
     */
    public synchronized void start() {
        if (state != EngineState.CREATED) {
            throw new IllegalStateException("start() called on an engine in state " + state
                    + "; an engine starts once (create a new one to restart)");
        }
        transition(EngineState.STARTING);
        try {
            if (config.sqlEnabled()) {
                wal = LocalWal.open(config.walPath());
                l3 = openL3();
                observeStoredVersions();
            }
            if (config.redisUrl() != null) {
                openL2();
            }
            if (l2 != null) {
                coherence = new Coherence(config, l1, clock);
            }
            writeBehind = new WriteBehind(config, l3, wal, l1, l3Breaker, l2, l2Breaker,
                    l2 == null ? null : new CacheTierRepairs(repairJournal), coherence);
            if (coherence != null) {
                coherence.addListener((id, version, deleted) -> writeBehind.supersede(id, version));
            }
            if (l3 != null) {
                existence = ExistenceFilter.create(config, l3, wal, writeBehind, coherence);
            }
            reads = new ReadPath(time, clock, l1, l2, l3, wal, writeBehind, coherence, l2Breaker, l3Breaker, l2Filler,
                    existence);
            coordinator = coordinatorFor(l2, l3);
            queries = new OverlayQueries(l1, l2, l3, wal, writeBehind, time, this::groundTruthUnavailable);
            if (l2 != null && config.enableCdcStream()) {
                writeBehind.publishChangesTo(() -> RedisCdcStream.open(config));
            }
            if (l3 != null) {
                writeBehind.drainWalNow();
                // Before the change stream is followed, so no announced id is recorded into a filter then replaced.
                existence.restore(wal);
            }
            openMerkle();
            writeBehind.start();
            if (coherence != null) {
                coherence.start();
            }
            if (existence != null) {
                existence.start();
            }
            if (syncScheduler != null) {
                syncScheduler.start();
            }
        } catch (RuntimeException e) {
            closeTiers();
            transition(EngineState.STOPPED);
            throw e;
        }
        LOG.info("tiercache engine ready: L1 {} bytes{}{}{}", config.l1MaxBytes(),
                l2 != null ? ", L2 " + l2.describe() : "",
                l3 != null ? ", L3 " + l3.describe() : ", no L3", wal != null && wal.depth() > 0
                        ? ", " + wal.depth() + " writes waiting in the WAL" : "");
        transition(EngineState.READY);
    }

    /** The merkle read API and, with L2 and L3, reconciliation, including the startup comparison. */
    private void openMerkle() {
        MerkleSetup.Opened opened = MerkleSetup.open(config, l3, l2, l1, writeBehind, coherence, time);
        merkle = opened.queries();
        syncScheduler = opened.scheduler();
    }

    /**
     * The highest shared tier arbitrates conditional writes between nodes. An SQLite file is this process's own, so
     * without Redis the stripe locks are enough.
     */
    private Coordinator coordinatorFor(ItemTier cacheTier, SqlTier groundTruth) {
        if (cacheTier instanceof CoordinatingTier coordinating) {
            return new Coordinator(coordinating, Tier.L2, l2Breaker, reads, writeBehind, coherence, clock, time);
        }
        if (groundTruth != null && !groundTruth.dialect().singleWriter()) {
            return new Coordinator(groundTruth, Tier.L3, l3Breaker, reads, writeBehind, null, clock, time);
        }
        return null;
    }

    /**
     * Redis may be down when the engine starts: the tier then connects on first use, and until it answers the engine
     * reads from L3 and owes L2 invalidations for every write.
     */
    private void openL2() {
        if (wal != null) {
            repairJournal = RepairJournal.open(config.walPath());
        }
        l2 = new ReconnectingTier(Tier.L2, "redis", () -> RedisTier.open(config, time)).tryOpen();
        ThreadPoolExecutor filler = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(10_000), runnable -> {
                    Thread thread = new Thread(runnable, "tiercache-l2-filler");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.DiscardPolicy());
        l2Filler = filler;
    }

    /**
     * Versions come from the wall clock, which may have been set back since the stored writes were made; a new write
     * below a stored version would be acknowledged and then silently lose to the older row in L3.
     */
    private void observeStoredVersions() {
        clock.observe(wal.maxVersion());
        try {
            clock.observe(l3.maxVersion());
        } catch (TierAccessException e) {
            throw new IllegalStateException("cannot read the highest stored version from L3 at " + config.sqlUrl()
                    + ": " + e.getMessage(), e);
        }
    }

    private SqlTier openL3() {
        try {
            return SqlTiers.open(config);
        } catch (TierAccessException e) {
            throw new IllegalStateException("cannot open L3 at " + config.sqlUrl() + ": " + e.getMessage(), e);
        }
    }

    /** Flushes every queued write to L3 (or the WAL), then closes all tiers. Calling it again does nothing. */
    public void shutdown() {
        synchronized (this) {
            if (state == EngineState.CREATED) {
                throw new IllegalStateException("shutdown() called on an engine that was never started");
            }
            if (state != EngineState.READY) {
                return;
            }
            closeWrites();
            transition(EngineState.SHUTTING_DOWN);
        }
        try {
            writeBehind.stop();
        } finally {
            closeTiers();
            transition(EngineState.STOPPED);
        }
    }

    @Override
    public void close() {
        if (state != EngineState.CREATED) {
            shutdown();
        }
    }

    public EngineState state() {
        return state;
    }

    public void addStateListener(EngineStateListener listener) {
        listeners.add(listener);
    }

    public SyncEngineConfig config() {
        return config;
    }

    private void transition(EngineState to) {
        EngineState from = state;
        state = to;
        for (EngineStateListener listener : listeners) {
            try {
                listener.onTransition(from, to);
            } catch (RuntimeException e) {
                LOG.warn("engine state listener failed on {} -> {}", from, to, e);
            }
        }
    }

    private void closeTiers() {
        if (syncScheduler != null) {
            syncScheduler.close();
        }
        if (existence != null) {
            // First: its last snapshot reads L3, and is stamped only while the change stream is still followed.
            existence.close();
        }
        if (l2Filler != null) {
            l2Filler.shutdown();
            try {
                l2Filler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (coherence != null) {
            coherence.close();
        }
        if (writeBehind != null && writeBehind.cdcStream() != null) {
            writeBehind.cdcStream().close();
        }
        if (l2 != null) {
            l2.close();
        }
        if (repairJournal != null) {
            repairJournal.close();
        }
        if (wal != null) {
            wal.close();
        }
        if (l3 != null) {
            l3.close();
        }
        l1.close();
    }

    private void requireReady() {
        EngineState current = state;
        if (current != EngineState.READY) {
            throw new IllegalStateException(switch (current) {
                case CREATED -> "the engine is not started: call start() first";
                case STARTING -> "the engine is still starting";
                default -> "the engine is shut down (state " + current + ")";
            });
        }
    }

    // ---------------------------------------------------------------- writes

    /** Stores {@code payload} under {@code id} with default options. */
    public CompletableFuture<SyncItem> submit(String id, byte[] payload) {
        return submitWith(id, payload, SubmitOptions.defaults());
    }

    /** Stores {@code payload} under {@code id}; the future completes at the options' durability. */
    public CompletableFuture<SyncItem> submitWith(String id, byte[] payload, SubmitOptions options) {
        requireNotAwaitingInvalidation(id, options);
        return submitQueued(id, payload, options);
    }

    private static void requireNotAwaitingInvalidation(String id, SubmitOptions options) {
        if (options.awaitsInvalidation()) {
            throw new IllegalArgumentException("awaitingInvalidation() is for compute(): a submitted write of '" + id
                    + "' is announced to other nodes when it is flushed");
        }
    }

    /**
     * {@link #submitWith} for a layer that keeps L1 entries ({@link #l1Ref}): the write goes through {@code ref}
     * without looking the id up, and takes {@code payload} over instead of copying it, so the caller must not change
     * the array afterwards. While {@code ref} is live and a MEMORY write of the id is still queued, this is the
     * cheapest write the engine has; otherwise it is {@link #submitWith} exactly.
     *
     * <pre>{@code
     * L1Ref ref = engine.l1Ref("users/ada");
     * if (ref != null) {
     *     engine.submitOwned(ref, "{\"name\":\"Ada\"}".getBytes(UTF_8), SubmitOptions.defaults()).join();
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code ref} is not an entry of this engine's L1
     */
    public CompletableFuture<SyncItem> submitOwned(L1Ref ref, byte[] payload, SubmitOptions options) {
        requireOwnedPayload(ref, payload, options);
        return submitChecked(ref, ref.id(), l1.idChars(ref), l1.idHash(ref), payload, null, options);
    }

    /**
     * {@link #submitOwned(L1Ref, byte[], SubmitOptions)} that returns the stored item once the write is acknowledged
     * at the options' durability, for a caller that would join the future at once: a MEMORY write through a carrying
     * entry, the common overwrite, then makes no future at all.
     *
     * <pre>{@code
     * L1Ref ref = engine.l1Ref("users/ada");
     * if (ref != null) {
     *     SyncItem stored = engine.putOwned(ref, "{\"name\":\"Ada\"}".getBytes(UTF_8), SubmitOptions.defaults());
     * }
     * }</pre>
     *
     * @throws CompletionException if the write fails at its durability, as {@link CompletableFuture#join} does
     */
    public SyncItem putOwned(L1Ref ref, byte[] payload, SubmitOptions options) {
        requireOwnedPayload(ref, payload, options);
        return putChecked(ref, payload, null, options);
    }

    private void requireOwnedPayload(L1Ref ref, byte[] payload, SubmitOptions options) {
        requireOwnedValue(ref, options);
        requireValidPayload(ref.id(), payload);
    }

    /**
     * {@link #submitOwned(L1Ref, byte[], SubmitOptions)} of {@code value}, which {@code encoder} turns into the
     * payload only when a tier or a reader needs its bytes; until the item is replaced, {@code ref} serves
     * {@code value} to the encoder's owner ({@link L1Ref#attached}). A value whose
     * {@link PayloadEncoder#maxEncodedSize} is over {@code maxPayloadBytes} is encoded here and checked like any
     * other.
     *
     * <pre>{@code
     * L1Ref ref = engine.l1Ref("greetings/en");
     * if (ref != null) {
     *     engine.submitOwned(ref, "hello", utf8, SubmitOptions.defaults()).join(); // utf8: see PayloadEncoder
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code ref} is not an entry of this engine's L1
     */
    public CompletableFuture<SyncItem> submitOwned(L1Ref ref, Object value, PayloadEncoder encoder,
                                                   SubmitOptions options) {
        if (encodesNow(ref, value, encoder)) {
            return submitOwned(ref, encoder.encode(value), options);
        }
        requireOwnedValue(ref, options);
        return submitChecked(ref, ref.id(), l1.idChars(ref), l1.idHash(ref), value, encoder, options);
    }

    /**
     * {@link #submitOwned(L1Ref, Object, PayloadEncoder, SubmitOptions)} that returns the stored item once the write
     * is acknowledged, like {@link #putOwned(L1Ref, byte[], SubmitOptions)}.
     *
     * <pre>{@code
     * L1Ref ref = engine.l1Ref("greetings/en");
     * if (ref != null) {
     *     SyncItem stored = engine.putOwned(ref, "hello", utf8, SubmitOptions.defaults()); // utf8: see PayloadEncoder
     * }
     * }</pre>
     *
     * @throws CompletionException if the write fails at its durability, as {@link CompletableFuture#join} does
     */
    public SyncItem putOwned(L1Ref ref, Object value, PayloadEncoder encoder, SubmitOptions options) {
        if (encodesNow(ref, value, encoder)) {
            return putOwned(ref, encoder.encode(value), options);
        }
        requireOwnedValue(ref, options);
        return putChecked(ref, value, encoder, options);
    }

    /** Whether a value submitted with an encoder is encoded at once: when it may encode over maxPayloadBytes. */
    private boolean encodesNow(L1Ref ref, Object value, PayloadEncoder encoder) {
        if (value == null || encoder == null) {
            throw new IllegalArgumentException((value == null ? "value" : "encoder") + " of '" + ref.id()
                    + "' must not be null");
        }
        return encoder.maxEncodedSize(value) > config.maxPayloadBytes();
    }

    private void requireOwnedValue(L1Ref ref, SubmitOptions options) {
        requireReady();
        if (!l1.holds(ref)) {
            throw new IllegalArgumentException("L1 entry " + ref + " is not an entry of this engine's L1");
        }
        requireNotAwaitingInvalidation(ref.id(), options);
    }

    /** The write of a checked owned payload, waited for: no future where the write is carried at once. */
    private SyncItem putChecked(L1Ref ref, Object payload, PayloadEncoder encoder, SubmitOptions options) {
        Durability durability = durabilityOf(options);
        admit(durability);
        int stripe = stripeOf(l1.idHash(ref));
        SyncItem carried = carried(ref, stripe, ref.id(), l1.idChars(ref), payload, encoder, options, durability);
        return carried != null ? carried
                : queued(ref, stripe, ref.id(), l1.idChars(ref), payload, encoder, options, durability).join();
    }

    /** L1's entry for {@code id}, for {@link #submitOwned} and derived values ({@link L1Ref}); null if L1 has none. */
    public L1Ref l1Ref(String id) {
        requireReady();
        ItemIds.requireValid(id);
        return l1.ref(id);
    }

    private CompletableFuture<SyncItem> submitQueued(String id, byte[] payload, SubmitOptions options) {
        requireReady();
        ItemIds.requireValid(id);
        requireValidPayload(id, payload);
        return submitChecked(null, id, id.length(), id.hashCode(), payload.clone(), null, options);
    }

    /**
     * A write of a valid id ({@code idChars} long, hash {@code idHash}) and an owned, valid payload (bytes, or a
     * value {@code encoder} encodes); through {@code ref} (L1's entry for the id) unless null.
     */
    private CompletableFuture<SyncItem> submitChecked(L1Ref ref, String id, int idChars, int idHash, Object payload,
                                                      PayloadEncoder encoder, SubmitOptions options) {
        Durability durability = durabilityOf(options);
        admit(durability);
        int stripe = stripeOf(idHash);
        SyncItem carried = carried(ref, stripe, id, idChars, payload, encoder, options, durability);
        return carried != null ? CompletableFuture.completedFuture(carried)
                : queued(ref, stripe, id, idChars, payload, encoder, options, durability);
    }

    /** The write done through {@code ref} by {@link #carryThrough} where it may be; else null, nothing done. */
    private SyncItem carried(L1Ref ref, int stripe, String id, int idChars, Object payload, PayloadEncoder encoder,
                             SubmitOptions options, Durability durability) {
        return ref != null && durability == Durability.MEMORY && carriesInL1()
                ? carryThrough(ref, stripe, id, idChars, payload, encoder, options) : null;
    }

    /** The write by the id's lock ({@code stripe}), into L1 and the write-behind queue. */
    private CompletableFuture<SyncItem> queued(L1Ref ref, int stripe, String id, int idChars, Object payload,
                                               PayloadEncoder encoder, SubmitOptions options, Durability durability) {
        lockId(stripe, id);
        try {
            long now = time.currentTimeMillis();
            long expiresAt = options.ttl() == null ? SyncItem.NO_EXPIRY : now + options.ttl().toMillis();
            SyncItem item = newItem(id, idChars, payload, encoder, clock.next(now), options.state(), expiresAt, now);
            CompletableFuture<Void> stored = store(ref, new TierWrite.Upsert(item), options.routing(),
                    durability);
            // A MEMORY write is acknowledged at once: no dependent future for it.
            return stored.isDone() && !stored.isCompletedExceptionally() ? CompletableFuture.completedFuture(item)
                    : stored.thenApply(ignored -> item);
        } finally {
            unlockId(stripe);
        }
    }

    /**
     * The cheapest write: a MEMORY upsert through {@code ref} while the entry carries the id's queued write, made
     * entirely inside the entry's lock (version, item, placement, carrying) without the id's lock. That is safe
     * because it is done only while nobody holds the id's lock ({@code stripe}, as {@link #stripeHeld} tells), and
     * whoever takes that lock waits for the entry's lock before going on ({@link #lockId}): a compute never sees the
     * id change under it. Returns null, having changed nothing, when the write must take the usual way.
     */
    private SyncItem carryThrough(L1Ref ref, int stripe, String id, int idChars, Object payload,
                                  PayloadEncoder encoder, SubmitOptions options) {
        Set<Tier> routing = options.routing(); // canonical already (Routing), as the carried write's routing is
        boolean recorded = existence != null && routing.contains(Tier.L3);
        String state = SyncItem.requireValidState(options.state());
        if (!l1.lockCarrying(ref, routing, !recorded)) {
            return null;
        }
        SyncItem item;
        int delta;
        try {
            if (stripeHeld.get(stripe) != 0 || writesClosed) {
                return null;
            }
            long now = time.currentTimeMillis();
            long expiresAt = options.ttl() == null ? SyncItem.NO_EXPIRY : now + options.ttl().toMillis();
            long version = clock.next(now);
            item = newItem(id, idChars, payload, encoder, version, state, expiresAt, now);
            delta = l1.carryLocked(ref, item, item.estimatedMemoryBytes());
        } finally {
            l1.unlock(ref);
        }
        if (delta == PendingWrite.NOT_ABSORBED) {
            return null;
        }
        if (delta != 0) {
            writeBehind.pinned(delta);
        }
        return item;
    }

    /** A new item of {@code payload}: its bytes, or with {@code encoder} the value they are made of on first use. */
    private static SyncItem newItem(String id, int idChars, Object payload, PayloadEncoder encoder, long version,
                                    String state, long expiresAt, long now) {
        return encoder != null ? SyncItem.deferring(id, idChars, payload, encoder, version, state, expiresAt, now)
                : SyncItem.owning(id, idChars, (byte[]) payload, version, state, expiresAt, now);
    }

    /**
     * Takes {@code id}'s lock ({@code stripe}), marks it taken in {@link #stripeHeld}, and then waits out a write
     * through the id's L1 entry that started before ({@link #carryThrough}): from here on nothing changes the id but
     * the holder. Released with {@link #unlockId}.
     */
    private void lockId(int stripe, String id) {
        ReentrantLock lock = stripes[stripe];
        lock.lock();
        if (lock.getHoldCount() == 1) {
            stripeHeld.set(stripe, 1);
        }
        try {
            l1.awaitEntryWriters(id);
        } catch (RuntimeException | Error e) {
            unlockId(stripe);
            throw e;
        }
    }

    private void unlockId(int stripe) {
        ReentrantLock lock = stripes[stripe];
        if (lock.getHoldCount() == 1) {
            stripeHeld.set(stripe, 0);
        }
        lock.unlock();
    }

    /** Stores several items with default options; the future completes when all are stored. */
    public CompletableFuture<List<SyncItem>> submitMany(Map<String, byte[]> items) {
        return submitMany(items, SubmitOptions.defaults());
    }

    public CompletableFuture<List<SyncItem>> submitMany(Map<String, byte[]> items, SubmitOptions options) {
        requireReady();
        items.forEach((id, payload) -> {
            ItemIds.requireValid(id);
            requireValidPayload(id, payload);
        });
        List<CompletableFuture<SyncItem>> futures = new ArrayList<>(items.size());
        items.forEach((id, payload) -> futures.add(submitWith(id, payload, options)));
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> futures.stream().map(CompletableFuture::join).toList());
    }

    /** Deletes {@code id} from every tier; the future tells whether it existed. */
    public CompletableFuture<Boolean> delete(String id) {
        return delete(id, config.defaultDurability());
    }

    public CompletableFuture<Boolean> delete(String id, Durability durability) {
        requireReady();
        ItemIds.requireValid(id);
        requireSupported(durability);
        admit(durability);
        int stripe = stripeOf(id.hashCode());
        lockId(stripe, id);
        try {
            boolean existed = existsForDelete(id);
            return store(new TierWrite.Delete(id, clock.next()), EnumSet.of(Tier.L2, Tier.L3), durability)
                    .thenApply(ignored -> existed);
        } finally {
            unlockId(stripe);
        }
    }

    /** A corrupt copy still exists: deleting it is how a caller gets rid of it, so it must not make delete fail. */
    private boolean existsForDelete(String id) {
        try {
            return reads.read(id, false).isPresent();
        } catch (CorruptionException e) {
            LOG.warn("deleting '{}', whose stored copy is corrupt", id);
            return true;
        }
    }

    /**
     * Applies a change another engine made, at that engine's version (replication from its CDC stream). Versions
     * guard every tier, so an event replayed twice or out of order never moves an item backwards.
     *
     * <pre>{@code
     * for (CdcEvent event : consumer.poll(100, Duration.ofMillis(200))) {
     *     replica.applyReplicated(event);
     * }
     * }</pre>
     */
    public CompletableFuture<Void> applyReplicated(CdcEvent event) {
        requireReady();
        ItemIds.requireValid(event.id());
        Durability durability = config.defaultDurability();
        admit(durability);
        int stripe = stripeOf(event.id().hashCode());
        lockId(stripe, event.id());
        try {
            clock.observe(event.version());
            if (event.deleted()) {
                return store(new TierWrite.Delete(event.id(), event.version()), EnumSet.of(Tier.L2, Tier.L3),
                        durability);
            }
            byte[] payload = event.payload().orElseThrow(() -> new IllegalArgumentException("the CDC event of '"
                    + event.id() + "' carries no payload (larger than the stream holds): read it from the source"));
            requireValidPayload(event.id(), payload);
            SyncItem item = SyncItem.create(event.id(), payload, event.version(), event.state(), event.expiresAt(),
                    time.currentTimeMillis());
            if (!item.contentHash().equals(event.contentHash())) {
                throw new CorruptionException(event.id(), "the CDC event's payload does not match its content hash");
            }
            return store(new TierWrite.Upsert(item), EnumSet.of(Tier.L2, Tier.L3), durability);
        } finally {
            unlockId(stripe);
        }
    }

    /** Deletes every id given; the future holds how many existed. */
    public CompletableFuture<Integer> deleteMany(Collection<String> ids) {
        requireReady();
        ids.forEach(ItemIds::requireValid);
        List<CompletableFuture<Boolean>> futures = new ArrayList<>(ids.size());
        for (String id : new LinkedHashSet<>(ids)) {
            futures.add(delete(id));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> (int) futures.stream().filter(CompletableFuture::join).count());
    }

    /** Re-tags an item with {@code newState} (a new version, same payload); false if the item does not exist. */
    public CompletableFuture<Boolean> setState(String id, String newState) {
        requireReady();
        ItemIds.requireValid(id);
        SyncItem.requireValidState(newState);
        int stripe = stripeOf(id.hashCode());
        lockId(stripe, id);
        try {
            Optional<SyncItem> current = reads.read(id, false);
            if (current.isEmpty()) {
                return CompletableFuture.completedFuture(false);
            }
            Durability durability = config.defaultDurability();
            admit(durability);
            SyncItem item = current.get().withMetadata(clock.next(), newState, current.get().expiresAt(),
                    time.currentTimeMillis());
            return store(new TierWrite.Upsert(item), EnumSet.of(Tier.L2, Tier.L3), durability)
                    .thenApply(ignored -> true);
        } finally {
            unlockId(stripe);
        }
    }

    /**
     * Runs {@code function} on the current item and applies what it decides, atomically: with respect to every other
     * write to {@code id} through this engine, and, when a shared tier is configured, to every {@code compute} on
     * {@code id} by any node sharing it (the highest shared tier arbitrates by compare-and-set: Redis when configured,
     * else a server SQL database). With a coordinating tier {@code function} may run more than once (each time on a
     * newer item, after another node won), so it must have no side effects. Blocks until the write is acknowledged
     * at its durability.
     *
     * @throws TierUnavailableException if the coordinating tier cannot arbitrate now (it is down, or L2 still owes
     *                                  invalidations after an outage)
     */
    public <R> R compute(String id, Function<Optional<SyncItem>, Mutation<R>> function) {
        requireReady();
        ItemIds.requireValid(id);
        int stripe = stripeOf(id.hashCode());
        lockId(stripe, id);
        try {
            if (coordinator == null) {
                Mutation<R> mutation = function.apply(reads.read(id, false));
                switch (mutation.kind()) {
                    // No shared tier, so no other node's L1 to wait for: awaitingInvalidation holds trivially.
                    case PUT -> join(submitQueued(id, mutation.payload(), mutation.options()));
                    case DELETE -> join(delete(id));
                    case KEEP -> { }
                }
                return mutation.result();
            }
            List<Mutation<R>> decided = new ArrayList<>(1);
            TierWrite applied = coordinator.compute(id, current -> {
                Mutation<R> mutation = function.apply(current);
                decided.clear();
                decided.add(mutation);
                return writeOf(id, mutation);
            }, write -> decided.get(0).kind() == Mutation.Kind.PUT && decided.get(0).options().awaitsInvalidation());
            Mutation<R> mutation = decided.get(0);
            if (applied != null) {
                Set<Tier> routing = mutation.kind() == Mutation.Kind.PUT ? mutation.options().routing()
                        : EnumSet.of(Tier.L2, Tier.L3);
                CompletableFuture<Void> stored = store(applied, routing, durabilityOf(mutation));
                coordinator.queued(applied);
                join(stored);
            }
            return mutation.result();
        } finally {
            unlockId(stripe);
        }
    }

    /** The write a decision makes, versioned after everything the decision saw; null for KEEP. */
    private TierWrite writeOf(String id, Mutation<?> mutation) {
        if (mutation.kind() == Mutation.Kind.KEEP) {
            return null;
        }
        Durability durability = durabilityOf(mutation);
        admit(durability);
        if (mutation.kind() == Mutation.Kind.DELETE) {
            return new TierWrite.Delete(id, clock.next());
        }
        requireValidPayload(id, mutation.payload());
        SubmitOptions options = mutation.options();
        long now = time.currentTimeMillis();
        long expiresAt = options.ttl() == null ? SyncItem.NO_EXPIRY : now + options.ttl().toMillis();
        return new TierWrite.Upsert(SyncItem.create(id, mutation.payload(), clock.next(now), options.state(),
                expiresAt, now));
    }

    private Durability durabilityOf(Mutation<?> mutation) {
        return mutation.kind() == Mutation.Kind.PUT ? durabilityOf(mutation.options()) : config.defaultDurability();
    }

    /**
     * The stored item, or the one {@code loader} makes, stored atomically if none existed (across nodes, as
     * {@link #compute}).
     */
    public SyncItem getOrInsertWith(String id, Supplier<byte[]> loader) {
        requireReady();
        ItemIds.requireValid(id);
        int stripe = stripeOf(id.hashCode());
        lockId(stripe, id);
        try {
            if (coordinator == null) {
                Optional<SyncItem> current = reads.read(id, false);
                return current.isPresent() ? current.get()
                        : join(submitWith(id, loader.get(), SubmitOptions.defaults()));
            }
            byte[][] loaded = new byte[1][];
            SyncItem existing = compute(id, current -> {
                if (current.isPresent()) {
                    return Mutation.keep(current.get());
                }
                if (loaded[0] == null) {
                    loaded[0] = loader.get();
                }
                return Mutation.put(loaded[0], SubmitOptions.defaults(), null);
            });
            // The inserted item is in L1 now (store() put it there before the write-behind queue).
            return existing != null ? existing : reads.read(id, false).orElseThrow();
        } finally {
            unlockId(stripe);
        }
    }

    /** Deletes every item whose id starts with {@code prefix} (taken literally); the future holds how many. */
    public CompletableFuture<Long> deletePrefix(String prefix) {
        ItemIds.requireValidPrefix(prefix);
        return deleteAll(after -> idsMerged(item -> item.id().startsWith(prefix),
                (tier, a, limit, now) -> tier.idsByPrefix(prefix, a, limit, now), after));
    }

    /** Deletes every item in {@code state}; the future holds how many. */
    public CompletableFuture<Long> deleteByState(String state) {
        SyncItem.requireValidState(state);
        return deleteAll(after -> idsMerged(item -> item.state().equals(state),
                (tier, a, limit, now) -> tier.idsByState(state, a, limit, now), after));
    }

    private CompletableFuture<Long> deleteAll(Function<String, List<String>> nextPage) {
        requireReady();
        List<CompletableFuture<Boolean>> futures = new ArrayList<>();
        String after = null;
        while (true) {
            List<String> ids = nextPage.apply(after);
            if (ids.isEmpty()) {
                break;
            }
            for (String id : ids) {
                futures.add(delete(id));
            }
            after = ids.get(ids.size() - 1);
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> futures.stream().filter(CompletableFuture::join).count());
    }

    /**
     * Registers {@code listener} for writes other nodes make (see {@link RemoteChangeListener}). Only an engine with
     * Redis hears of them: without it this returns false and the listener is never called.
     */
    public boolean addRemoteChangeListener(RemoteChangeListener listener) {
        requireReady();
        Objects.requireNonNull(listener, "listener");
        if (coherence == null) {
            return false;
        }
        coherence.addListener(listener);
        return true;
    }

    public void removeRemoteChangeListener(RemoteChangeListener listener) {
        Coherence current = coherence;
        if (current != null) {
            current.removeListener(listener);
        }
    }

    /**
     * The current time as every node sharing this engine's Redis agrees on it: the engine's clock corrected by its
     * measured offset to Redis's clock (within a round trip), or the engine's clock alone without Redis. For
     * timestamps several nodes compare, such as a second-level cache's invalidation times; nodes with skewed clocks
     * otherwise order them wrongly.
     */
    public long sharedTimeMillis() {
        Coherence current = coherence;
        return current != null ? current.sharedTimeMillis() : time.currentTimeMillis();
    }

    /**
     * How far {@link #sharedTimeMillis()} may be from Redis's clock (0 without Redis, where there is one clock; at
     * most {@value #MAX_SHARED_TIME_UNCERTAINTY_MS} ms while Redis has not answered yet). A timestamp that must not
     * be earlier than another node's view of the same moment, such as an invalidation's, adds twice this.
     */
    public long sharedTimeUncertaintyMillis() {
        Coherence current = coherence;
        return current == null ? 0 : Math.min(MAX_SHARED_TIME_UNCERTAINTY_MS, current.sharedTimeUncertaintyMillis());
    }

    /** Completes when every write accepted before this call is stored in L3 (or the WAL while L3 is down). */
    public CompletableFuture<Void> forceFlush() {
        requireReady();
        return writeBehind.flushAll();
    }

    /** Every write enters L1 and the queue here, holding its id's lock. */
    private CompletableFuture<Void> store(TierWrite write, Set<Tier> routing, Durability durability) {
        return store(null, write, routing, durability);
    }

    /**
     * {@code ref}: L1's entry for the write's id, if the caller holds it; else null. The caller holds the id's lock:
     * a write that passed its caller's state check just before a shutdown would otherwise reach a queue no flusher
     * drains, and its future never complete ({@link #closeWrites}).
     */
    private CompletableFuture<Void> store(L1Ref ref, TierWrite write, Set<Tier> routing, Durability durability) {
        assert lockFor(write.id()).isHeldByCurrentThread() : "a write of '" + write.id() + "' without its lock";
        if (writesClosed) {
            requireReady();
            throw new IllegalStateException("the engine is shutting down");
        }
        requireReady();
        return storeReady(ref, write, routing, durability);
    }

    /**
     * No write enters L1 or the queue after this returns, and every write that was entering has left: a writer
     * holding its id's lock when the flag was set is waited for, one that takes its lock afterwards sees the flag.
     */
    private void closeWrites() {
        writesClosed = true;
        for (ReentrantLock stripe : stripes) {
            stripe.lock();
            stripe.unlock();
        }
    }

    private CompletableFuture<Void> storeReady(L1Ref ref, TierWrite write, Set<Tier> routing,
                                               Durability durability) {
        if (durability != Durability.MEMORY && (l3 == null || !routing.contains(Tier.L3))) {
            // Nothing durable would hold it, so acknowledging it as durable would be a promise the engine cannot keep.
            throw new IllegalArgumentException("durability " + durability + " for '" + write.id()
                    + "' needs L3, but it is routed to " + routing + " and this engine has "
                    + (l3 != null ? "L3" : "no L3"));
        }
        applyToL1(ref, write);
        if (l2 == null && l3 == null) {
            return CompletableFuture.completedFuture(null);
        }
        Set<Tier> routed = Routing.of(routing);
        boolean recorded = existence != null && write instanceof TierWrite.Upsert && routing.contains(Tier.L3);
        // A queued upsert of the id had the id recorded when it was queued, and a filter rebuild reads every
        // queued write, so a write it absorbs needs no recording (and no filter lock).
        if (durability == Durability.MEMORY && (absorbIntoCarrier(ref, write, routed, recorded)
                || absorbIntoQueued(ref, write, routed, recorded))) {
            return CompletableFuture.completedFuture(null);
        }
        if (recorded) {
            // In the existence filter before L3 (or the WAL on its way there) can hold it.
            return existence.recordThen(write.id(), () -> queueShared(ref, write, routed, durability));
        }
        return queueShared(ref, write, routed, durability);
    }

    private void applyToL1(L1Ref ref, TierWrite write) {
        if (ref != null) {
            l1.apply(ref, write);
        } else {
            l1.apply(write);
        }
    }

    /**
     * Without Redis, the id's queued write lets its L1 entry carry the newer writes ({@link PendingWrite#carryIn}):
     * a write through {@code ref} is then absorbed there, touching nothing but the entry.
     */
    private boolean absorbIntoCarrier(L1Ref ref, TierWrite write, Set<Tier> routing, boolean onlyIntoUpsert) {
        if (ref == null || !carriesInL1()) {
            return false;
        }
        int delta = l1.absorbCarried(ref, null, write, PendingWrite.bytesOf(write), routing, !onlyIntoUpsert);
        if (delta == PendingWrite.NOT_ABSORBED) {
            return false;
        }
        writeBehind.pinned(delta);
        return true;
    }

    /** Writes absorbed into their id's L1 entry need nothing that only Redis engines mark on queued writes. */
    private boolean carriesInL1() {
        return coherence == null && coordinator == null;
    }

    /** The id's queued write takes {@code write} over: found through {@code ref} when it was queued through it. */
    private boolean absorbIntoQueued(L1Ref ref, TierWrite write, Set<Tier> routing, boolean onlyIntoUpsert) {
        PendingWrite linked = ref == null ? null : (PendingWrite) l1.queuedWrite(ref);
        if (linked != null && writeBehind.absorbInto(linked, write, routing, onlyIntoUpsert)) {
            return true;
        }
        return writeBehind.absorbIntoQueued(write, routing, onlyIntoUpsert);
    }

    /** Queues a write L1 already holds for the shared tiers; {@code routing} is immutable ({@link Routing}). */
    private CompletableFuture<Void> queueShared(L1Ref ref, TierWrite write, Set<Tier> routing,
                                                Durability durability) {
        // Every configured shared tier hears of every write: routed tiers store it, the others drop older copies.
        PendingWrite pending = new PendingWrite(write, routing, durability);
        if (durability == Durability.LOCAL_WAL) {
            pending.journaled(wal.append(write, routing));
        }
        PendingWrite queued = writeBehind.enqueue(pending);
        if (ref != null) {
            // Without Redis the entry carries the newer writes itself; with Redis it only finds the queued one.
            boolean carried = queued == pending && durability == Durability.MEMORY && carriesInL1()
                    && pending.carryIn(l1, ref);
            if (!carried) {
                l1.linkQueuedWrite(ref, queued);
            }
        }
        return switch (durability) {
            case MEMORY -> CompletableFuture.completedFuture(null);
            case LOCAL_WAL -> pending.walSeq().thenApply(seq -> null);
            case DURABLE -> pending.stored();
        };
    }

    private Durability durabilityOf(SubmitOptions options) {
        Durability durability = options.durability() != null ? options.durability() : config.defaultDurability();
        requireSupported(durability);
        return durability;
    }

    private void requireSupported(Durability durability) {
        if (durability != Durability.MEMORY && !config.sqlEnabled()) {
            throw new IllegalArgumentException("durability " + durability
                    + " needs an L3 tier and its local WAL, but this engine runs with sqlEnabled=false");
        }
    }

    private void requireValidPayload(String id, byte[] payload) {
        if (payload == null) {
            throw new IllegalArgumentException("payload of '" + id + "' must not be null");
        }
        if (payload.length > config.maxPayloadBytes()) {
            throw new IllegalArgumentException("payload of '" + id + "' is " + payload.length
                    + " bytes, over maxPayloadBytes " + config.maxPayloadBytes());
        }
    }

    /** Refuses a write that would overrun memory or the WAL, before it takes any. */
    private void admit(Durability durability) {
        if (memoryPressure() >= config.backpressureCritical() && !roomWithin(config.backpressureWaitMs())) {
            double pressure = memoryPressure();
            throw new BackpressureException(String.format("memory pressure %.2f is at or above backpressureCritical "
                            + "%.2f (%d of %d bytes held by unflushed writes) after waiting %d ms "
                            + "(backpressureWaitMs); retry once the write-behind queue drains", pressure,
                    config.backpressureCritical(), writeBehind.pinnedBytes(), config.l1MaxBytes(),
                    config.backpressureWaitMs()));
        }
        if (wal != null && (durability == Durability.LOCAL_WAL || writeBehind.hasWalBacklog())
                && wal.depth() >= config.walMaxItems()) {
            throw new BackpressureException("the local WAL holds " + wal.depth() + " writes, at walMaxItems "
                    + config.walMaxItems() + "; writes resume as it drains into L3");
        }
    }

    /** Hurries the flusher and waits up to {@code millis} for pressure to fall below CRITICAL. */
    private boolean roomWithin(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            writeBehind.expedite();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            if (memoryPressure() < config.backpressureCritical()) {
                return true;
            }
        }
        return false;
    }

    private ReentrantLock lockFor(String id) {
        return stripes[stripeOf(id.hashCode())];
    }

    private static int stripeOf(int idHash) {
        return (idHash ^ (idHash >>> 16)) & (LOCK_STRIPES - 1);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- reads

    /** The item, read through L1, the write-behind queue, then L3 (promoting an L3 hit into L1). */
    public Optional<SyncItem> get(String id) {
        requireReady();
        ItemIds.requireValid(id);
        return reads.read(id, false);
    }

    /**
     * Like {@link #get}, and also re-hashes the copy served: a copy that fails is dropped from L1 and read again from
     * below; a corrupt ground-truth copy throws {@link CorruptionException}.
     */
    public Optional<SyncItem> getVerified(String id) {
        requireReady();
        ItemIds.requireValid(id);
        return reads.read(id, true);
    }

    /** The stored items among {@code ids}: one L2 pipeline and one L3 query for everything L1 does not hold. */
    public Map<String, SyncItem> getMany(Collection<String> ids) {
        requireReady();
        ids.forEach(ItemIds::requireValid);
        return reads.getMany(ids);
    }

    public boolean contains(String id) {
        return get(id).isPresent();
    }

    /** Whether the stored item has exactly this content hash (for deduplicating replicated changes). */
    public boolean isCurrent(String id, String contentHash) {
        return get(id).map(item -> item.contentHash().equals(contentHash)).orElse(false);
    }

    /** Where the item is: pending in the write-behind queue, stored in some tiers, or missing. */
    public ItemStatus status(String id) {
        requireReady();
        ItemIds.requireValid(id);
        return reads.status(id);
    }












    private TierUnavailableException groundTruthUnavailable(String what, TierAccessException e) {
        if (e.tier() == Tier.L2) {
            l2Breaker.recordFailure();
            return new TierUnavailableException(Tier.L2, "L2 is unavailable while " + what + ": " + e.getMessage(), e);
        }
        return reads.l3Unavailable(what, e);
    }


    // ---------------------------------------------------------------- merkle trees and reconciliation

    /**
     * The root of a namespace's merkle tree in the ground truth (L3; L2 without L3), {@link Digest256#ZERO} when
     * empty. A namespace is the part of ids before their first '/' ({@code "users"} for {@code users/42}, with or
     * without the slash; {@code ""} for ids without one). Two engines hold the same items exactly when their roots
     * are equal:
     *
     * <pre>{@code
     * Digest256 mine = engine.getMerkleRoot("users");
     * if (!mine.equals(peerRoot)) {
     *     SortedSet<MerklePath> differ = engine.drillDownDivergence("users", MerklePath.ROOT, peerChildrenOfRoot);
     *     // ask the peer for the children of each path in differ, and so on down to the leaf buckets
     * }
     * Map<Tier, String> roots = engine.merkleRoots("users");    // {L2=..., L3=...}: equal when L2 agrees with L3
     * SyncReport report = engine.sync(SyncOptions.defaults());   // repair L2 where it does not
     * }</pre>
     *
     * @throws IllegalStateException    if {@code merkleCalcEnabled} is off or no shared tier is configured
     * @throws TierUnavailableException if the tier does not answer
     */
    public Digest256 getMerkleRoot(String namespace) {
        return getMerkleHash(namespace, MerklePath.ROOT);
    }

    /** The digest at {@code path} of the namespace's ground-truth tree, {@link Digest256#ZERO} for an empty node. */
    public Digest256 getMerkleHash(String namespace, MerklePath path) {
        return merkleCall(() -> merkle.hash(namespace, path));
    }

    /** The node at {@code path} if it is non-empty (the rows a tier stores). */
    public Optional<Digest256> getMerkleNode(String namespace, MerklePath path) {
        return merkleCall(() -> merkle.node(namespace, path));
    }

    /** The non-empty children of the internal node at {@code path}, in digit order. */
    public SortedMap<MerklePath, Digest256> getMerkleChildren(String namespace, MerklePath path) {
        return merkleCall(() -> merkle.children(namespace, path));
    }

    /** The paths among a peer's {@code remote} nodes whose digest differs here (absent here counts as empty). */
    public SortedSet<MerklePath> findDivergentPaths(String namespace, Map<MerklePath, Digest256> remote) {
        return merkleCall(() -> merkle.findDivergent(namespace, remote));
    }

    /**
     * The children of {@code path} that differ between this engine and a peer whose non-empty children of
     * {@code path} are {@code remoteChildren}: one step of a top-down comparison.
     */
    public SortedSet<MerklePath> drillDownDivergence(String namespace, MerklePath path,
                                                     Map<MerklePath, Digest256> remoteChildren) {
        return merkleCall(() -> merkle.drillDown(namespace, path, remoteChildren));
    }

    /** Whether L2's root equals L3's for the namespace (true with only one of them). */
    public boolean isMerkleSynced(String namespace) {
        return merkleRoots(namespace).values().stream().distinct().count() <= 1;
    }

    /** The roots of the tiers keeping trees for the namespace, as 64 hex digits: {@code {L2=..., L3=...}}. */
    public Map<Tier, String> merkleRoots(String namespace) {
        Map<Tier, String> hex = new EnumMap<>(Tier.class);
        merkleCall(() -> merkle.roots(namespace)).forEach((tier, root) -> hex.put(tier, root.toHex()));
        return hex;
    }

    /**
     * Reconciles L2 (and L1) with L3 now: compares each namespace's trees top-down and repairs only the divergent
     * leaf buckets from L3. Also runs at start, every {@code merkleSyncIntervalMs}, and after L2 recovers. Tier
     * failures do not throw: the report says the run was skipped or incomplete, and the background retries with
     * backoff.
     *
     * <pre>{@code
     * SyncReport report = engine.sync(SyncOptions.defaults());
     * System.out.printf("%d buckets compared, %d items rewritten and %d removed in L2 in %s%n",
     *         report.bucketsCompared(), report.tier(Tier.L2).repaired(), report.tier(Tier.L2).removed(),
     *         report.duration());
     * }</pre>
     *
     * @throws IllegalStateException if the engine lacks L2, L3 or {@code merkleCalcEnabled}
     */
    public SyncReport sync(SyncOptions options) {
        requireReady();
        if (syncScheduler == null) {
            throw new IllegalStateException("sync() reconciles L2 with L3 through merkle trees: it needs both tiers"
                    + " and merkleCalcEnabled=true");
        }
        return syncScheduler.runNow(options);
    }

    /** The last reconciliation's report (on demand, scheduled or at start), empty before the first. */
    public Optional<SyncReport> lastSyncReport() {
        return Optional.ofNullable(syncScheduler == null ? null : syncScheduler.last());
    }

    @FunctionalInterface
    private interface MerkleCall<T> {
        T run() throws TierAccessException;
    }

    private <T> T merkleCall(MerkleCall<T> call) {
        requireReady();
        if (merkle == null) {
            throw new IllegalStateException("merkle trees are not maintained: merkleCalcEnabled is off"
                    + " or no shared tier (L2 or L3) is configured");
        }
        try {
            return call.run();
        } catch (TierAccessException e) {
            throw new TierUnavailableException(e.tier(), e.tier() + " is unavailable while reading merkle trees: "
                    + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- states and prefixes

    /** Up to {@code limit} items whose id starts with {@code prefix} ({@code %}, {@code _}, {@code \} literal). */
    public List<SyncItem> scanPrefix(String prefix, int limit) {
        return scanPrefix(prefix, null, limit);
    }

    /** The page of items with the prefix whose ids sort after {@code afterId}, in id order. */
    public List<SyncItem> scanPrefix(String prefix, String afterId, int limit) {
        ItemIds.requireValidPrefix(prefix);
        return scanMerged(item -> item.id().startsWith(prefix),
                (tier, after, max, now) -> tier.scanPrefix(prefix, after, max, now), afterId, limit);
    }

    public long countPrefix(String prefix) {
        ItemIds.requireValidPrefix(prefix);
        return countMerged(item -> item.id().startsWith(prefix), (tier, now) -> tier.countPrefix(prefix, now));
    }

    public List<SyncItem> getByState(String state, int limit) {
        SyncItem.requireValidState(state);
        return scanMerged(item -> item.state().equals(state),
                (tier, after, max, now) -> tier.scanState(state, after, max, now), null, limit);
    }

    public long countByState(String state) {
        SyncItem.requireValidState(state);
        return countMerged(item -> item.state().equals(state), (tier, now) -> tier.countByState(state, now));
    }

    public List<String> listStateIds(String state, int limit) {
        SyncItem.requireValidState(state);
        return idsMerged(item -> item.state().equals(state),
                (tier, after, max, now) -> tier.idsByState(state, after, max, now), null, limit);
    }

    private List<SyncItem> scanMerged(Predicate<SyncItem> matches, OverlayQueries.PageQuery<SyncItem> query,
                                      String afterId, int limit) {
        requireReady();
        requirePositive(limit);
        return queries.scan(matches, query, afterId, limit);
    }

    private List<String> idsMerged(Predicate<SyncItem> matches, OverlayQueries.PageQuery<String> query,
                                   String afterId) {
        return idsMerged(matches, query, afterId, PAGE);
    }

    private List<String> idsMerged(Predicate<SyncItem> matches, OverlayQueries.PageQuery<String> query,
                                   String afterId, int limit) {
        requireReady();
        requirePositive(limit);
        return queries.ids(matches, query, afterId, limit);
    }

    private long countMerged(Predicate<SyncItem> matches, OverlayQueries.CountQuery query) {
        requireReady();
        return queries.count(matches, query);
    }

    private static void requirePositive(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }

    /** Loads items with {@code prefix} from L3 into L1 until L1 is 90% full; returns how many were loaded. */
    public long warmUp(String prefix) {
        requireReady();
        ItemIds.requireValidPrefix(prefix);
        if (l3 == null) {
            return 0;
        }
        long loaded = 0;
        String after = null;
        long now = time.currentTimeMillis();
        while (l1.weightedBytes() < l1.maximumBytes() * 0.9) {
            List<SyncItem> page = queries.groundTruthPage((tier, a, max, n) -> tier.scanPrefix(prefix, a, max, n),
                    after, PAGE, now);
            for (SyncItem item : page) {
                if (item.isIntact() && l1.fill(item)) {
                    loaded++;
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).id();
        }
        return loaded;
    }

    // ---------------------------------------------------------------- pressure, health, stats

    /**
     * The share of the L1 byte budget held by writes not yet stored below (they cannot be evicted). Clean cached
     * items never count: they make room by eviction.
     */
    public double memoryPressure() {
        WriteBehind wb = writeBehind;
        return wb == null ? 0.0 : (double) wb.pinnedBytes() / config.l1MaxBytes();
    }

    public PressureLevel pressure() {
        double pressure = memoryPressure();
        if (pressure >= config.backpressureCritical()) {
            return PressureLevel.CRITICAL;
        }
        return pressure >= config.backpressureWarn() ? PressureLevel.WARN : PressureLevel.NORMAL;
    }

    /** Whether a write now would be accepted (memory below CRITICAL and room in the WAL). */
    public boolean shouldAcceptWrites() {
        return state == EngineState.READY && pressure() != PressureLevel.CRITICAL
                && (wal == null || wal.depth() < config.walMaxItems());
    }

    /** Pings every configured backend in parallel and reports them with the engine's own state. */
    public HealthReport healthCheck() {
        Map<Tier, String> backends = new EnumMap<>(Tier.class);
        Map<Tier, String> breakers = new EnumMap<>(Tier.class);
        backends.put(Tier.L1, "ok");
        boolean healthy = state == EngineState.READY;
        Map<Tier, CompletableFuture<String>> pings = new EnumMap<>(Tier.class);
        if (state == EngineState.READY) {
            if (l2 != null) {
                pings.put(Tier.L2, ping(l2));
                breakers.put(Tier.L2, l2Breaker.state().name());
            }
            if (l3 != null) {
                pings.put(Tier.L3, ping(l3));
                breakers.put(Tier.L3, l3Breaker.state().name());
            }
        }
        long timeout = Math.max(config.sqlTimeoutMs(), config.redisResponseTimeoutMs());
        for (Map.Entry<Tier, CompletableFuture<String>> ping : pings.entrySet()) {
            String answer;
            try {
                answer = ping.getValue().get(timeout, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                answer = "down: no answer within " + timeout + " ms";
            }
            backends.put(ping.getKey(), answer);
            healthy &= answer.startsWith("ok");
        }
        if (l3 != null && state == EngineState.READY && writeBehind.hasWalBacklog()) {
            // Degraded until the WAL has drained: L3 answering a ping may still refuse writes, and lacks these.
            backends.put(Tier.L3, backends.get(Tier.L3) + ", " + wal.depth() + " writes waiting in the WAL");
            healthy = false;
        }
        if (writeBehind != null && writeBehind.cacheTierRepairsOwed() > 0) {
            // Degraded until L2 has applied every invalidation it missed: it may still hold stale copies.
            backends.put(Tier.L2, backends.get(Tier.L2) + ", " + writeBehind.cacheTierRepairsOwed()
                    + " invalidations owed");
            healthy = false;
        }
        if (coherence != null && !coherence.l1Trusted()) {
            backends.put(Tier.L1, "ok, bypassed: not following the change stream, so other nodes' writes may be missing");
            healthy = false;
        }
        PressureLevel level = pressure();
        healthy &= level != PressureLevel.CRITICAL;
        return new HealthReport(healthy, state, backends, breakers, memoryPressure(), level,
                wal == null ? 0 : wal.depth(), writeBehind == null ? 0 : writeBehind.queuedCount());
    }

    private static CompletableFuture<String> ping(ItemTier tier) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                tier.ping();
                return "ok (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms)";
            } catch (TierAccessException e) {
                return "down: " + e.getMessage();
            }
        });
    }

    /**
     * Checks the existence filter against L3: pages through every L3 id ({@code cuckooWarmupBatchSize} at a time)
     * and counts the ones the filter would have called definitely missing. Any such false negative distrusts the
     * filter (reads go to L3 again) and starts a rebuild in the background. Costs one scan of L3's ids.
     *
     * <pre>{@code
     * FilterReport report = engine.verifyFilter();
     * if (report.falseNegatives() > 0) {
     *     log.error("existence filter missed {} of {} ids; rebuilding", report.falseNegatives(), report.checked());
     * }
     * }</pre>
     *
     * An engine without an existence filter (no L3, or without a Redis change stream an L3 other engines may write:
     * a server, an SQLite file outside its data directory) reports {@code checked == 0} and {@code trusted == false}.
     */
    public FilterReport verifyFilter() {
        requireReady();
        if (existence == null) {
            return new FilterReport(0, 0, 0.0, false);
        }
        try {
            return existence.verify();
        } catch (TierAccessException e) {
            throw reads.l3Unavailable("verifying the existence filter", e);
        }
    }

    public EngineStats stats() {
        requireReady();
        l1.cleanUp();
        long l3Items = -1;
        if (l3 != null) {
            try {
                l3Items = l3.size();
            } catch (TierAccessException e) {
                l3Items = -1;
            }
        }
        long l2Items = -1;
        if (l2 != null) {
            try {
                l2Items = l2.size();
            } catch (TierAccessException e) {
                l2Items = -1;
            }
        }
        return new EngineStats(l1.size(), l1.weightedBytes(), config.l1MaxBytes(), l2Items, l3Items,
                wal == null ? 0 : wal.depth(), writeBehind.queuedCount(), writeBehind.pinnedBytes(),
                reads.l1Hits(), reads.l2Hits(), reads.l3Hits(), reads.misses(), writeBehind.flushes(), writeBehind.itemsFlushed(),
                writeBehind.itemsJournaled(), writeBehind.itemsDrained(), reads.l3Reads(),
                existence == null ? FilterStats.NONE : existence.stats());
    }

    /**
     * The item L1 holds for {@code id} if L1 may serve it now (it follows the other nodes' changes, and the item has
     * not expired), without asking any other tier or the write-behind queue; empty otherwise. It has no side effects
     * in L1 (no access recorded, no maintenance, so no listener call on this thread): it may be called while holding
     * a lock the layer's {@link L1Listener} also takes. A layer that keeps derived copies uses {@link #l1Ref}.
     */
    public Optional<SyncItem> getCached(String id) {
        requireReady();
        ItemIds.requireValid(id);
        if (coherence != null && !coherence.l1Trusted()) {
            return Optional.empty();
        }
        return l1.peek(id).filter(item -> !item.isExpiredAt(time.currentTimeMillis()));
    }

    /**
     * Whether L1 may serve reads now: always without Redis; with Redis, while this node follows the other nodes'
     * changes and has confirmed doing so within its lease. A layer that keeps copies derived from L1 (a near cache)
     * must not serve them while this is false: a paused or disconnected node may have missed a change.
     */
    public boolean l1Trusted() {
        Coherence current = coherence;
        return current == null || current.l1Trusted();
    }

    /** Tells {@code listener} of every entry that leaves L1, until it is removed (see {@link L1Listener}). */
    public void addL1Listener(L1Listener listener) {
        l1.addListener(listener);
    }

    public void removeL1Listener(L1Listener listener) {
        l1.removeListener(listener);
    }

    /** Drops every L1 entry (the shared tiers keep theirs); reads refill it. */
    public void clearL1() {
        requireReady();
        l1.invalidateAll();
    }
}
