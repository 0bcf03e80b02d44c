package io.tiercache.engine.internal;

import io.tiercache.engine.RemoteChangeListener;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.Tier;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.redis.RedisChangeStream;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Keeps L1 a coherent near cache when several nodes share L2/L3. Every flushed batch is announced on the Redis change
 * stream; a reader thread follows the stream from this node's own position and, for each other node's write, drops
 * or fences the L1 entry (a floor, so a racing fill of an older copy loses). Nothing is fire-and-forget: a node that
 * loses its connection, or finds entries trimmed away before it read them, drops all of L1 and does not serve from
 * L1 again until it follows the stream anew.
 */
public final class Coherence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coherence.class);
    /** Longest a stream read blocks: an idle node still confirms its position this often. */
    private static final long BLOCK_MILLIS = 200;
    /** How long a confirmation vouches for a node's L1; several blocked reads, so an idle node never lapses. */
    private static final long LEASE_MILLIS = 5 * BLOCK_MILLIS;
    private static final long LEASE_NANOS = TimeUnit.MILLISECONDS.toNanos(LEASE_MILLIS);

    private final SyncEngineConfig config;
    private final MemoryTier l1;
    private final HybridLogicalClock clock;
    private final String nodeId = UUID.randomUUID().toString();
    private final Thread reader;
    private final LongAdder applied = new LongAdder();
    /** Which unbroken period of following the stream this is; a new one starts after every gap or reconnect. */
    private final AtomicLong followEpoch = new AtomicLong();
    private volatile Consumer<String> remoteChanges = id -> { };
    private volatile RedisChangeStream stream;
    private volatile boolean l1Trusted;
    private volatile boolean closing;
    private volatile String startPosition;
    /**
     * When the lease L1 is served under began: the sending of the confirmation that preceded the last read which
     * reached the stream's end. A writer that stops waiting for this node does so a lease after this node's newest
     * confirmation it can see; that confirmation was sent no earlier than this, and every change this node has not
     * applied yet was announced after that read began - so the lease here always ends first. Renewing it from a
     * confirmation sent after a pause, before the backlog is read, would serve what writers replaced meanwhile.
     */
    private volatile long leaseStartNanos = System.nanoTime() - LEASE_NANOS;
    /** When the newest confirmation Redis accepted was sent (set by start, then only by the reader thread). */
    private long confirmationSentNanos = leaseStartNanos;
    private final SharedClock sharedClock = new SharedClock();
    private final List<RemoteChangeListener> listeners = new CopyOnWriteArrayList<>();

    public Coherence(SyncEngineConfig config, MemoryTier l1, HybridLogicalClock clock) {
        this.config = config;
        this.l1 = l1;
        this.clock = clock;
        this.reader = new Thread(this::follow, "tiercache-coherence");
        this.reader.setDaemon(true);
    }

    /**
     * Finds the stream's end before the engine serves anything, so L1 is trusted from the first read; with Redis
     * down, L1 stays bypassed until the reader reaches the stream.
     */
    public void start() {
        try {
            stream = RedisChangeStream.open(config);
            startPosition = stream.end();
            confirm(startPosition);
            // L1 is empty before the first read, so there is nothing yet it could serve stale.
            leaseStartNanos = confirmationSentNanos;
            followEpoch.incrementAndGet();
            l1Trusted = true;
        } catch (TierAccessException | RuntimeException e) {
            LOG.warn("the change stream is unreachable at start ({}); L1 is bypassed until it answers", e.getMessage());
        }
        reader.start();
    }

    /** Also told of every other node's change, e.g. to retire this node's older queued write of the same id. */
    public void addListener(RemoteChangeListener listener) {
        listeners.add(listener);
    }

    public boolean removeListener(RemoteChangeListener listener) {
        return listeners.remove(listener);
    }

    private void tellListeners(RedisChangeStream.Change change) {
        for (RemoteChangeListener listener : listeners) {
            try {
                listener.changed(change.id(), change.version(), change.deleted());
            } catch (RuntimeException e) {
                LOG.warn("a remote change listener failed on '{}': {}", change.id(), e.toString());
            }
        }
    }

    /**
     * Whether L1 may serve: false until this node follows the stream, after any connection loss or gap, and while
     * the reader has not confirmed its position within its lease (a stalled or paused node: writers stop waiting
     * for it after the same lease, so it must not serve what they changed meanwhile).
     */
    public boolean l1Trusted() {
        return l1Trusted && System.nanoTime() - leaseStartNanos < LEASE_NANOS;
    }

    /**
     * This node's clock moved onto Redis's, re-measured at every confirmation (a few times a second): the time every
     * node sharing Redis agrees on within a round trip, whatever their own clocks say.
     */
    public long sharedTimeMillis() {
        return config.timeSource().currentTimeMillis() + sharedClock.offsetMillis();
    }

    /** How far {@link #sharedTimeMillis} may be from Redis's clock: half the round trip it was measured over. */
    public long sharedTimeUncertaintyMillis() {
        return sharedClock.uncertaintyMillis();
    }

    /**
     * Waits until every other live node has applied the change at {@code position} to its L1, or until their
     * leases have run out (then they do not serve from L1 either). Waits at most the lease plus a response timeout.
     */
    public void awaitDelivered(String position) {
        if (position == null) {
            // Not announced at all: only the lapse of every lease is sure to have removed the old copies.
            LockSupport.parkNanos(LEASE_NANOS);
            return;
        }
        long deadline = System.nanoTime() + LEASE_NANOS + TimeUnit.MILLISECONDS.toNanos(config.redisResponseTimeoutMs());
        long pause = 100_000;
        while (System.nanoTime() < deadline) {
            RedisChangeStream current = stream;
            try {
                if (current != null && current.unconfirmed(nodeId, position, LEASE_MILLIS) == 0) {
                    return;
                }
            } catch (TierAccessException e) {
                // Cannot see the confirmations: waiting out the lease is what makes it safe.
                LOG.debug("reading confirmations of {} failed: {}", position, e.getMessage());
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * The current following period; it changes (before {@link #l1Trusted} turns true again) whenever announcements
     * may have been missed, so state built from the stream in an earlier period is known to be incomplete.
     */
    public long followEpoch() {
        return followEpoch.get();
    }

    /** Also tells {@code listener} the id of every change another node announces (set before {@link #start}). */
    public void onRemoteChange(Consumer<String> listener) {
        this.remoteChanges = listener;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Changes of other nodes applied to L1 so far. */
    public long changesApplied() {
        return applied.sum();
    }

    /**
     * Announces a batch this node stored and returns its stream position; throws while Redis does not answer (the
     * caller owes it).
     */
    public String publish(List<? extends TierWrite> writes) throws TierAccessException {
        return announce(writes.stream().map(RedisChangeStream.Change::of).toList());
    }

    /** Announces ids whose copies elsewhere must be read again (invalidations owed after an outage). */
    public void announceChanged(List<? extends TierWrite> owed) throws TierAccessException {
        announce(owed.stream().map(w -> new RedisChangeStream.Change(w.id(), w.version(), false)).toList());
    }

    private String announce(List<RedisChangeStream.Change> changes) throws TierAccessException {
        RedisChangeStream current = stream;
        if (current == null) {
            throw new TierAccessException(Tier.L2, "the change stream is not connected", null);
        }
        return current.publish(nodeId, changes);
    }

    private void follow() {
        long backoff = config.sqlRetryBackoffMs();
        long block = Math.max(10, Math.min(BLOCK_MILLIS, config.redisResponseTimeoutMs() / 2));
        String position = startPosition;
        while (!closing) {
            try {
                if (stream == null) {
                    stream = RedisChangeStream.open(config);
                }
                if (position == null) {
                    // Whatever L1 holds may predate changes this node never saw: start clean from the stream's end.
                    position = stream.end();
                    l1.invalidateAll();
                    confirm(position);
                    leaseStartNanos = confirmationSentNanos;
                    followEpoch.incrementAndGet();
                    l1Trusted = true;
                    LOG.info("following the change stream from {} (node {})", position, nodeId);
                }
                long precedingConfirmation = confirmationSentNanos;
                RedisChangeStream.Read read = stream.read(position, nodeId, block);
                if (read.gap()) {
                    distrust("entries after " + position + " were trimmed before this node read them");
                    position = null;
                    continue;
                }
                for (RedisChangeStream.Change change : read.changes()) {
                    clock.observe(change.version());
                    remoteChanges.accept(change.id());
                    // A floor, never a tombstone, even for a "d": a write routed away from L2 is announced as the
                    // delete L2 received, while L3 holds the item; a tombstone would serve a miss for it.
                    l1.raiseFloor(change.id(), change.version());
                    tellListeners(change);
                    applied.increment();
                }
                position = read.position();
                if (read.caughtUp()) {
                    leaseStartNanos = precedingConfirmation;
                }
                confirm(position);
            } catch (TierAccessException | RuntimeException e) {
                if (closing) {
                    return;
                }
                if (l1Trusted) {
                    distrust("the change stream is unreachable: " + e.getMessage());
                }
                position = null;
                sleep(backoff);
            }
        }
    }

    /**
     * A confirmation Redis refuses (a full Redis refuses writes but still serves stream reads) costs only the lease:
     * this node keeps applying changes, and serves from L1 again once a confirmation lands.
     */
    private void confirm(String position) {
        try {
            long sent = System.nanoTime();
            long before = config.timeSource().currentTimeMillis();
            long redisNow = stream.confirm(nodeId, position);
            long after = config.timeSource().currentTimeMillis();
            sharedClock.sample(redisNow, before, after);
            confirmationSentNanos = sent;
        } catch (TierAccessException e) {
            LOG.debug("confirming position {} failed: {}", position, e.getMessage());
        }
    }

    private void distrust(String why) {
        l1Trusted = false;
        l1.invalidateAll();
        LOG.warn("L1 dropped and not trusted until the change stream is followed again: {}", why);
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing = true;
        reader.interrupt();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RedisChangeStream current = stream;
        if (current != null) {
            current.close();
        }
    }
}
