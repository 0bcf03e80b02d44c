package io.tiercache.engine.internal;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps L1 a coherent near cache when several nodes share L2/L3. Every flushed batch is announced on the Redis change
 * stream; a reader thread follows the stream from this node's own position and, for each other node's write, drops
 * or fences the L1 entry (a floor, so a racing fill of an older copy loses). Nothing is fire-and-forget: a node that
 * loses its connection, or finds entries trimmed away before it read them, drops all of L1 and does not serve from
 * L1 again until it follows the stream anew.
 */
public final class Coherence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coherence.class);

    private final SyncEngineConfig config;
    private final MemoryTier l1;
    private final HybridLogicalClock clock;
    private final String nodeId = UUID.randomUUID().toString();
    private final Thread reader;
    private final LongAdder applied = new LongAdder();
    private volatile RedisChangeStream stream;
    private volatile boolean l1Trusted;
    private volatile boolean closing;
    private volatile String startPosition;

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
            l1Trusted = true;
        } catch (TierAccessException | RuntimeException e) {
            LOG.warn("the change stream is unreachable at start ({}); L1 is bypassed until it answers", e.getMessage());
        }
        reader.start();
    }

    /** Whether L1 may serve: false until this node follows the stream, and after any connection loss or gap. */
    public boolean l1Trusted() {
        return l1Trusted;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Changes of other nodes applied to L1 so far. */
    public long changesApplied() {
        return applied.sum();
    }

    /** Announces a batch this node stored; throws while Redis does not answer (the caller owes it). */
    public void publish(List<? extends TierWrite> writes) throws TierAccessException {
        announce(writes.stream().map(RedisChangeStream.Change::of).toList());
    }

    /** Announces ids whose copies elsewhere must be read again (invalidations owed after an outage). */
    public void announceChanged(List<? extends TierWrite> owed) throws TierAccessException {
        announce(owed.stream().map(w -> new RedisChangeStream.Change(w.id(), w.version(), false)).toList());
    }

    private void announce(List<RedisChangeStream.Change> changes) throws TierAccessException {
        RedisChangeStream current = stream;
        if (current == null) {
            throw new TierAccessException(Tier.L2, "the change stream is not connected", null);
        }
        current.publish(nodeId, changes);
    }

    private void follow() {
        long backoff = config.sqlRetryBackoffMs();
        long block = Math.max(10, Math.min(1000, config.redisResponseTimeoutMs() / 2));
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
                    l1Trusted = true;
                    LOG.info("following the change stream from {} (node {})", position, nodeId);
                }
                RedisChangeStream.Read read = stream.read(position, nodeId, block);
                if (read.gap()) {
                    distrust("entries after " + position + " were trimmed before this node read them");
                    position = null;
                    continue;
                }
                for (RedisChangeStream.Change change : read.changes()) {
                    clock.observe(change.version());
                    if (change.deleted()) {
                        l1.apply(new TierWrite.Delete(change.id(), change.version()));
                    } else {
                        l1.raiseFloor(change.id(), change.version());
                    }
                    applied.increment();
                }
                position = read.position();
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
