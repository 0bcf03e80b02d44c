package io.tiercache.engine.internal;

import io.tiercache.engine.Durability;
import io.tiercache.engine.L1Ref;
import io.tiercache.engine.Tier;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.tier.TierWrite;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A write accepted into L1 and waiting for the shared tiers. {@link #stored} completes when the write left memory
 * for good: committed to L3, or journaled to the WAL because L3 could not take it.
 *
 * <p>Until the flusher {@link #take}s it, a MEMORY-durability write may {@link #absorb} a newer MEMORY write of the
 * same id and routing: only the newest version of an id needs to reach the shared tiers, so repeated writes of a hot
 * id cost the flusher one row, and the queue one entry, per batch. Writes acknowledged later (WAL, DURABLE) keep
 * their own entry, since each one's acknowledgement waits for its own storing.
 *
 * <p>On an engine without Redis a queued MEMORY write may hand that job to its id's L1 entry ({@link #carryIn}):
 * newer writes are then absorbed into the entry, under the entry's lock, without touching this object, and
 * {@link #write()} reads the newest from there until {@link #take} (or {@link #retire}) takes it back, inside the
 * same lock, so no reader sees the carrying end before this object holds the newest write. When the entry absorbed
 * writes since it started carrying (the id is being overwritten), the flusher's take hands the entry on to a
 * continuation ({@link #takeCarryingOn}) in that same lock: the writes after the batch go on being absorbed there,
 * instead of each hot id's next writer queuing a write of its own after every batch. A continuation that absorbed
 * nothing by the next batch holds only what its predecessor stored, and is dropped then
 * ({@link #carriesNothingNew}).
 */
public final class PendingWrite {
    /** What {@link #absorb} answers when it did not take the newer write over. */
    public static final int NOT_ABSORBED = Integer.MIN_VALUE;

    private volatile TierWrite write;
    /** The version {@link #write} carries, kept here so absorbing compares it without reading the write. */
    private volatile long version;
    private final Set<Tier> sharedTiers;
    private final Durability durability;
    private final long enqueuedNanos;
    private volatile int bytes;
    private boolean taken;
    /** No longer the pending write of its id (a newer one replaced it, or it never was): it absorbs nothing. */
    private boolean retired;
    private final CompletableFuture<Void> stored = new CompletableFuture<>();
    private volatile CompletableFuture<Long> walSeq;
    private volatile boolean coordinated;
    private volatile boolean superseded;
    /** The id's L1 entry carrying this write's newer versions ({@link #carryIn}) until the flusher takes it. */
    private volatile L1Ref carrier;
    private MemoryTier carrierTier;
    /** What the entry carried when it started carrying for this write: a take finding it unchanged found no write. */
    private TierWrite armedWith;
    /** Made by {@link #takeCarryingOn}: queued by the flusher, not a writer; it pins nothing until it absorbs. */
    private final boolean continuation;

    public PendingWrite(TierWrite write, Set<Tier> sharedTiers, Durability durability) {
        this.write = write;
        this.version = write.version();
        this.sharedTiers = sharedTiers;
        this.durability = durability;
        this.enqueuedNanos = System.nanoTime();
        this.bytes = bytesOf(write);
        this.continuation = false;
    }

    /** A continuation of {@code taken}, carried by the same L1 entry, starting from {@code stored}, its newest write. */
    private PendingWrite(PendingWrite taken, TierWrite stored) {
        this.write = stored;
        this.version = stored.version();
        this.sharedTiers = taken.sharedTiers;
        this.durability = Durability.MEMORY;
        this.enqueuedNanos = System.nanoTime();
        this.bytes = 0;
        this.continuation = true;
        this.armedWith = stored;
        this.carrier = taken.carrier;
        this.carrierTier = taken.carrierTier;
    }

    /** Memory {@code write} pins while it waits. */
    public static int bytesOf(TierWrite write) {
        return write instanceof TierWrite.Upsert u ? u.item().estimatedMemoryBytes() : 2 * write.id().length() + 96;
    }

    /**
     * Carries {@code newer}'s write instead of its own, if this write is still queued, both are MEMORY writes with
     * the same routing and {@code newer} is not older; returns the change of pinned bytes, or {@link #NOT_ABSORBED}.
     */
    public int absorb(PendingWrite newer) {
        return absorb(newer.write, newer.sharedTiers, newer.durability, newer.bytes, newer.coordinated,
                newer.superseded, false);
    }

    /**
     * {@link #absorb(PendingWrite)} of a MEMORY write not queued yet (so neither coordinated nor superseded); with
     * {@code onlyIfUpsert}, only while what this write carries is an upsert.
     */
    public int absorb(TierWrite newer, Set<Tier> routing, boolean onlyIfUpsert) {
        return absorb(newer, routing, Durability.MEMORY, bytesOf(newer), false, false, onlyIfUpsert);
    }

    private synchronized int absorb(TierWrite newer, Set<Tier> routing, Durability newerDurability, int newerBytes,
                                    boolean newerCoordinated, boolean newerSuperseded, boolean onlyIfUpsert) {
        L1Ref ref = carrier;
        if (ref != null) {
            // Carried by the id's L1 entry: the newest write is there, and so is the decision.
            if (newerDurability != Durability.MEMORY || sharedTiers != routing && !sharedTiers.equals(routing)) {
                return NOT_ABSORBED;
            }
            return carrierTier.absorbCarried(ref, this, newer, newerBytes, sharedTiers, !onlyIfUpsert);
        }
        if (taken || retired || durability != Durability.MEMORY || newerDurability != Durability.MEMORY || walSeq != null
                || newer.version() < version || sharedTiers != routing && !sharedTiers.equals(routing)
                || onlyIfUpsert && !(write instanceof TierWrite.Upsert)) {
            return NOT_ABSORBED;
        }
        int delta = newerBytes - bytes;
        write = newer;
        version = newer.version();
        bytes = newerBytes;
        // What is known of the older write (on the coordinating tier already, overtaken by another node) is not
        // known of the newer one it now carries.
        coordinated = newerCoordinated;
        superseded = newerSuperseded;
        return delta;
    }

    /**
     * Lets {@code ref}, the id's entry in {@code l1}, carry the newer MEMORY writes of the id from now on
     * ({@link MemoryTier#carry}): a writer holding the entry then absorbs into it without touching this object.
     * Only for an engine without Redis, where no write is ever marked coordinated or superseded (absorbing into
     * the entry could not clear those marks). False if this write can no longer absorb anything.
     */
    public synchronized boolean carryIn(MemoryTier l1, L1Ref ref) {
        if (taken || retired || durability != Durability.MEMORY || walSeq != null || coordinated || superseded
                || carrier != null) {
            return false;
        }
        l1.carry(ref, this, write, bytes, sharedTiers);
        carrierTier = l1;
        armedWith = write;
        carrier = ref;
        return true;
    }

    /** Another write became the pending write of this id: from now on this one absorbs nothing. */
    synchronized void retire() {
        retired = true;
        endCarrying();
    }

    /** The flusher takes this write: from now on it absorbs nothing, so what it carries is final. */
    public synchronized void take() {
        taken = true;
        endCarrying();
    }

    /**
     * {@link #take}, and if the id's L1 entry absorbed writes since it started carrying for this one, hands the
     * entry on to a continuation in the same lock and returns it (null otherwise): the caller makes it the id's
     * pending write and queues it.
     */
    public synchronized PendingWrite takeCarryingOn() {
        taken = true;
        L1Ref ref = carrier;
        if (ref == null) {
            return null;
        }
        PendingWrite[] next = {null};
        carrierTier.handOver(ref, this, newest -> {
            took(newest);
            if (newest != armedWith) {
                next[0] = new PendingWrite(this, newest);
            }
            return next[0];
        });
        carrier = null;
        return next[0];
    }

    /**
     * A continuation taken with nothing absorbed since its predecessor's batch: it holds what that batch stored, so
     * the flusher drops it instead of writing the row again.
     */
    public synchronized boolean carriesNothingNew() {
        return continuation && taken && write == armedWith;
    }

    /** Whether the id's L1 entry carries this write's newer versions now. */
    public boolean carried() {
        return carrier != null;
    }

    /** Takes back the newest write the L1 entry carried, inside the entry's lock (see {@link MemoryTier#detach}). */
    private void endCarrying() {
        L1Ref ref = carrier;
        if (ref != null) {
            carrierTier.detach(ref, this, this::took);
            carrier = null;
        }
    }

    /** Holds {@code newest}, taken back from the L1 entry; unchanged in a continuation, it pins nothing. */
    private void took(TierWrite newest) {
        write = newest;
        version = newest.version();
        bytes = continuation && newest == armedWith ? 0 : bytesOf(newest);
    }

    public TierWrite write() {
        L1Ref ref = carrier;
        if (ref != null) {
            // Null once carrying ended: by then the newest write is in this object (set inside the entry's lock).
            TierWrite carried = carrierTier.carried(ref, this);
            if (carried != null) {
                return carried;
            }
        }
        return write;
    }

    public String id() {
        return write.id();
    }

    public long version() {
        return carrier != null ? write().version() : version;
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

    /** Memory this write pins until it is stored (while an L1 entry carries it: as of the last absorb here). */
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

    /** Whether the coordinating tier already holds this write (it won a compare-and-set there). */
    public boolean coordinated() {
        return coordinated;
    }

    public void markCoordinated() {
        coordinated = true;
    }

    /**
     * Whether another node has since written a newer version of the id: then this write, though still queued, is
     * no longer the newest, and reads must not be answered from it.
     */
    public boolean superseded() {
        return superseded;
    }

    void markSuperseded() {
        superseded = true;
    }
}
