package io.tiercache.engine.internal;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TierUnavailableException;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.CoordinatingTier;
import io.tiercache.engine.tier.CoordinatingTier.Snapshot;
import io.tiercache.engine.tier.CoordinatingTier.Token;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Makes a read-decide-write atomic across every node sharing the coordinating tier (DESIGN.md, "Coherence across
 * JVMs"): the highest shared tier arbitrates with a compare-and-set, and the loser reads again and decides again.
 * L1 is never the base of a decision, since it may lag another node's write; this node's own queued write for the id
 * is first handed to the coordinating tier, since it is newer than anything there.
 *
 * <p>The stripe lock the engine holds around a call keeps this node's threads from racing each other, so retries
 * come only from other nodes.
 */
public final class Coordinator {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
    /** Attempts before a caller is told the id is too contended to decide on; each loss means another node won. */
    private static final int MAX_ATTEMPTS = 10_000;

    private final CoordinatingTier tier;
    private final Tier level;
    private final CircuitBreaker breaker;
    private final ReadPath reads;
    private final WriteBehind writeBehind;
    private final Coherence coherence;
    private final HybridLogicalClock clock;
    private final TimeSource time;
    private final LongAdder wins = new LongAdder();
    private final LongAdder losses = new LongAdder();

    /** {@code coherence} is null without a change stream; {@code reads} supplies L3 when L2 holds nothing. */
    public Coordinator(CoordinatingTier tier, Tier level, CircuitBreaker breaker, ReadPath reads,
                       WriteBehind writeBehind, Coherence coherence, HybridLogicalClock clock, TimeSource time) {
        this.tier = tier;
        this.level = level;
        this.breaker = breaker;
        this.reads = reads;
        this.writeBehind = writeBehind;
        this.coherence = coherence;
        this.clock = clock;
        this.time = time;
    }

    public Tier level() {
        return level;
    }

    /** Compare-and-sets that won, and that lost to another node and were retried. */
    public long wins() {
        return wins.sum();
    }

    public long losses() {
        return losses.sum();
    }

    /**
     * Runs {@code decide} on the current item until its write is applied on the coordinating tier unchanged since the
     * read. {@code decide} may run several times and must have no effect but its answer: the write to apply (its
     * version from the engine's clock, which has seen the version read), or null to change nothing.
     *
     * @return the write applied, or null if the last decision was to change nothing
     * @throws TierUnavailableException if the coordinating tier cannot arbitrate now
     */
    public TierWrite compute(String id, Function<Optional<SyncItem>, TierWrite> decide) {
        return compute(id, decide, write -> false);
    }

    /**
     * As {@link #compute(String, Function)}; when {@code awaitDelivery} holds for the write applied, returns only
     * once every other live node has dropped its older L1 copy ({@link Coherence#awaitDelivered}).
     */
    public TierWrite compute(String id, Function<Optional<SyncItem>, TierWrite> decide,
                             java.util.function.Predicate<TierWrite> awaitDelivery) {
        requireAvailable(id);
        handOverQueuedWrite(id);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Snapshot seen = readForUpdate(id);
            TierWrite write = decide.apply(currentItem(id, seen));
            if (write == null) {
                return null;
            }
            if (compareAndApply(seen.token(), write)) {
                wins.increment();
                announce(write, awaitDelivery.test(write));
                return write;
            }
            losses.increment();
            if (attempt > 3) {
                // Several losses in a row: the id is hot on other nodes; yield a little so one of them finishes.
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(50_000, 50_000L * Math.min(attempt, 40)));
            }
        }
        throw new IllegalStateException("gave up on '" + id + "' after " + MAX_ATTEMPTS
                + " compare-and-set attempts on " + level + ": other nodes changed it every time");
    }

    /**
     * Tells the coordinator that {@code write}, which won its compare-and-set, is now queued for the other tiers:
     * it must not be handed over again, or a delete the coordinating tier keeps no trace of would be undone by it.
     */
    public void queued(TierWrite write) {
        PendingWrite queued = writeBehind.pending(write.id());
        if (queued != null && queued.write() == write) {
            queued.markCoordinated();
        }
    }

    /**
     * A write of this node still in the write-behind queue is newer than what the coordinating tier holds; deciding
     * on the tier's older copy and then flushing the queued one would reorder them. It goes to the tier first, as a
     * compare-and-set like any other, and only if the tier does not hold something newer already.
     */
    private void handOverQueuedWrite(String id) {
        PendingWrite queued = writeBehind.pending(id);
        if (queued == null || queued.coordinated()) {
            return;
        }
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Snapshot seen = readForUpdate(id);
            if (seen.token().kind() != Token.Kind.NOTHING && seen.token().version() >= queued.version()) {
                return;
            }
            if (compareAndApply(seen.token(), queued.write())) {
                return;
            }
        }
    }

    /**
     * What the decision is based on. A tombstone means deleted, whatever L3 still holds; nothing (or a corrupt copy)
     * on L2 means L2 does not cache the id, so the ground truth answers.
     */
    private Optional<SyncItem> currentItem(String id, Snapshot seen) {
        Token token = seen.token();
        if (token.kind() != Token.Kind.NOTHING) {
            clock.observe(token.version());
        }
        if (token.kind() == Token.Kind.DELETED) {
            return Optional.empty();
        }
        Optional<SyncItem> item = seen.item().filter(SyncItem::isIntact);
        if (item.isPresent()) {
            return item.filter(found -> !found.isExpiredAt(time.currentTimeMillis()));
        }
        if (seen.item().isPresent()) {
            LOG.warn("{} copy of '{}' fails its hash check; deciding on the ground truth's copy", level, id);
        }
        return level == Tier.L2 ? reads.readGroundTruth(id) : Optional.empty();
    }

    private void requireAvailable(String id) {
        if (level == Tier.L2 && !writeBehind.cacheTierTrusted()) {
            throw new TierUnavailableException(level, "'" + id + "' cannot be changed conditionally now: L2 "
                    + "coordinates conditional writes across nodes and still owes invalidations from an outage", null);
        }
        if (!breaker.allowsCall()) {
            throw new TierUnavailableException(level, "'" + id + "' cannot be changed conditionally now: " + level
                    + " coordinates conditional writes across nodes and is unavailable (breaker " + breaker.state()
                    + ")", null);
        }
    }

    private Snapshot readForUpdate(String id) {
        try {
            Snapshot seen = tier.readForUpdate(id);
            breaker.recordSuccess();
            return seen;
        } catch (TierAccessException e) {
            throw unavailable(id, e);
        }
    }

    private boolean compareAndApply(Token expected, TierWrite write) {
        try {
            boolean applied = tier.compareAndApply(expected, write);
            breaker.recordSuccess();
            return applied;
        } catch (TierAccessException e) {
            throw unavailable(write.id(), e);
        }
    }

    private TierUnavailableException unavailable(String id, TierAccessException e) {
        breaker.recordFailure();
        return new TierUnavailableException(level, "conditional write of '" + id + "' failed on " + level
                + ", which coordinates them across nodes: " + e.getMessage(), e);
    }

    /**
     * Other nodes drop their L1 copy now rather than after the flush (which announces it again anyway). When the
     * caller needs it, waits until they have; if even the announcement fails, waiting out the nodes' L1 lease is
     * what makes it safe.
     */
    private void announce(TierWrite write, boolean awaitDelivery) {
        if (coherence == null) {
            return;
        }
        String position = null;
        try {
            position = coherence.publish(List.of(write));
        } catch (TierAccessException e) {
            LOG.debug("early announcement of '{}' failed; the flush announces it", write.id(), e);
        }
        if (awaitDelivery) {
            coherence.awaitDelivered(position);
        }
    }
}
