package io.tiercache.engine.internal;

import io.tiercache.engine.Durability;
import io.tiercache.engine.Tier;
import io.tiercache.engine.tier.TierWrite;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A write accepted into L1 and waiting for the shared tiers. {@link #stored} completes when the write left memory
 * for good: committed to L3, or journaled to the WAL because L3 could not take it.
 */
public final class PendingWrite {
    private final TierWrite write;
    private final Set<Tier> sharedTiers;
    private final Durability durability;
    private final long enqueuedNanos;
    private final int bytes;
    private final CompletableFuture<Void> stored = new CompletableFuture<>();
    private volatile CompletableFuture<Long> walSeq;

    public PendingWrite(TierWrite write, Set<Tier> sharedTiers, Durability durability) {
        this.write = write;
        this.sharedTiers = sharedTiers;
        this.durability = durability;
        this.enqueuedNanos = System.nanoTime();
        this.bytes = write instanceof TierWrite.Upsert u ? u.item().estimatedMemoryBytes() : 2 * write.id().length() + 96;
    }

    public TierWrite write() {
        return write;
    }

    public String id() {
        return write.id();
    }

    public long version() {
        return write.version();
    }

    public Set<Tier> sharedTiers() {
        return sharedTiers;
    }

    public Durability durability() {
        return durability;
    }

    public long enqueuedNanos() {
        return enqueuedNanos;
    }

    /** Memory this write pins until it is stored. */
    public int bytes() {
        return bytes;
    }

    public CompletableFuture<Void> stored() {
        return stored;
    }

    /** The WAL sequence number, once journaled; null while the write is only in memory. */
    public CompletableFuture<Long> walSeq() {
        return walSeq;
    }

    public void journaled(CompletableFuture<Long> seq) {
        this.walSeq = seq;
    }
}
