package io.tiercache.engine.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.tiercache.engine.L1Listener;
import io.tiercache.engine.L1Ref;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.internal.IdOrder;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * L1: items in process memory, bounded by bytes (Caffeine, weigher = payload + overhead).
 *
 * <p>Deletes leave a small versioned tombstone instead of removing the entry, so a read that fetched an older copy
 * from a lower tier cannot put it back after the delete: every write, fill and delete is one version-guarded step
 * on the id's cell, and the newest version wins whatever the interleaving.
 *
 * <p>Caffeine holds a {@link Cell} per id, from the id's first write until it leaves L1, and what the cell holds is
 * the id's state. A write that leaves the entry's weight and expiry as they were (an overwrite with a same-sized
 * payload, the common case under load) changes the cell under its own lock word, with no Caffeine write at all; any
 * other write changes it inside a Caffeine compute that returns the same cell, so Caffeine weighs and times it
 * afresh. A cell that leaves Caffeine (evicted, expired, invalidated) is marked dead first, under Caffeine's lock for
 * the id, so nothing can be placed in a cell the map no longer holds. The cell is the id's {@link L1Ref}: a layer
 * above may keep it, write through it and attach a value derived from its item.
 *
 * <p>{@link L1Listener}s hear of every cell that leaves, after it is dead, so a layer above can keep its refs
 * exactly as long as L1 keeps the entries.
 */
public final class MemoryTier implements ItemTier {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryTier.class);
    private static final int TOMBSTONE_WEIGHT = 96;

    private final Cache<String, Cell> cache;
    private final Policy.Eviction<String, Cell> eviction;
    private final long configuredMaxBytes;
    private final List<L1Listener> listeners = new CopyOnWriteArrayList<>();

    /**
     * A write L1 is asked to place: an item; a tombstone remembering a delete's version; or a floor, left by another
     * node's write that L1 has not seen: reads go below, and only a copy at least that new may fill the entry.
     */
    private record Placement(SyncItem item, long version, boolean floor) {
        int weight(String id) {
            return item == null ? TOMBSTONE_WEIGHT + 2 * id.length() : item.estimatedMemoryBytes();
        }

        long expiresAt() {
            return item == null ? SyncItem.NO_EXPIRY : item.expiresAt();
        }
    }

    /** A value a layer above derived from {@code item}; served while the cell still holds that item. */
    private record Attachment(SyncItem item, Object owner, Object value, long until) {
    }

    /**
     * The entry Caffeine holds for an id, for as long as the id stays in L1. What it holds (item, version, floor,
     * footprint) lives in its own fields, changed under a lock word in the same object: a write reads and compares
     * only what the cell's cache line already holds, and allocates nothing but the item.
     */
    private static final class Cell implements L1Ref {
        private static final VarHandle LOCK;

        static {
            try {
                LOCK = MethodHandles.lookup().findVarHandle(Cell.class, "lock", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final MemoryTier tier;
        private final String id;
        /** The id's length and hash, read here with the cell instead of from the id's own objects on every write. */
        private final int idChars;
        private final int idHash;
        /** Held (1) while a writer changes the fields below; writers hold it for a few field writes. */
        private volatile int lock;
        /** The item reads are served; null for a tombstone, a floor, or a dead cell. Read without the lock. */
        private volatile SyncItem item;
        private long version;
        private boolean floor;
        /** What Caffeine weighs and times this cell by; changed only inside a Caffeine compute of the id. */
        private int weight;
        private long expiresAt;
        /** Left the map: nothing is placed here any more. */
        private volatile boolean dead;
        private volatile Attachment attachment;
        /** The write-behind's note of this id's queued write, so a write through the cell finds it without a lookup. */
        private volatile Object queuedWrite;
        /**
         * The queued write this cell carries newer writes for ({@link #carry}), null if none; the newest write it
         * carries, that write's pinned bytes and its routing. Under the lock.
         */
        private Object carrier;
        private TierWrite carried;
        /**
         * Instead of {@link #carried}: the newest carried write is the upsert of {@link #item}, made when asked for
         * ({@link #carriedWrite}). An overwrite through the cell then stores one young object into this old one,
         * not two: G1 makes each such store pay a memory fence and, until its refinement has adapted, a card to
         * refine.
         */
        private boolean carriesItem;
        /** {@link #carried}'s version and kind, kept here so absorbing reads nothing but this cell. */
        private long carriedVersion;
        private boolean carriedUpsert;
        private int carriedBytes;
        private Object carriedRouting;

        Cell(MemoryTier tier, String id, Placement first) {
            this.tier = tier;
            this.id = id;
            this.idChars = id.length();
            this.idHash = id.hashCode();
            hold(first, first.weight(id), first.expiresAt());
        }

        private void acquire() {
            for (int spins = 0; !LOCK.compareAndSet(this, 0, 1); spins++) {
                // Holders keep it for a few field writes; one that lost its core meanwhile is let back on.
                if (spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        private void release() {
            lock = 0;
        }

        private void hold(Placement placed, int newWeight, long newExpiresAt) {
            carriedWrite(); // made of the item being replaced, if it is the one carried
            version = placed.version();
            floor = placed.floor();
            weight = newWeight;
            expiresAt = newExpiresAt;
            item = placed.item();
        }

        /** Carries {@code newer} ({@code bytes} pinned) instead; returns the change of pinned bytes. Under the lock. */
        private int replaceCarried(TierWrite newer, int bytes) {
            int delta = bytes - carriedBytes;
            carried = newer;
            carriesItem = false;
            carriedVersion = newer.version();
            carriedUpsert = newer instanceof TierWrite.Upsert;
            carriedBytes = bytes;
            return delta;
        }

        /** Holds {@code newest}, an upsert newer than the held item, and carries it instead. Under the lock. */
        private int carryItem(SyncItem newest, int bytes) {
            int delta = bytes - carriedBytes;
            version = newest.version();
            item = newest;
            carried = null; // a null store costs G1 no fence
            carriesItem = true;
            carriedVersion = newest.version();
            carriedUpsert = true;
            carriedBytes = bytes;
            return delta;
        }

        /** The newest carried write (null if none), made once from the item if the item is it. Under the lock. */
        private TierWrite carriedWrite() {
            if (carriesItem) {
                carried = new TierWrite.Upsert(item);
                carriesItem = false;
            }
            return carried;
        }

        /** Whether what the cell holds keeps {@code candidate} out. Under the lock. */
        private boolean outranks(Placement candidate) {
            return floor ? version > candidate.version() : version >= candidate.version();
        }

        /**
         * Places {@code candidate} if it wins and, unless {@code reweigh}, leaves the footprint as it is: a write
         * outside Caffeine must not change what Caffeine weighed and timed. {@code reweigh} only inside Caffeine's
         * compute of the id, which weighs and times the cell afresh.
         */
        int place(Placement candidate, boolean reweigh) {
            acquire();
            try {
                if (dead) {
                    return NEEDS_MAP;
                }
                if (outranks(candidate)) {
                    return LOST;
                }
                int newWeight = candidate.weight(id);
                long newExpiresAt = candidate.expiresAt();
                if (!reweigh && (item == null || candidate.item() == null || newWeight != weight
                        || newExpiresAt != expiresAt)) {
                    return NEEDS_MAP;
                }
                hold(candidate, newWeight, newExpiresAt);
                return WON;
            } finally {
                release();
            }
        }

        /** Leaves the map: from now on nothing is placed here. */
        void kill() {
            acquire();
            try {
                dead = true;
                carriedWrite(); // a queued write may still take it back from a dead cell
                item = null;
                attachment = null;
            } finally {
                release();
            }
        }

        /** A tombstone: a delete L1 remembers. */
        boolean isTombstone() {
            acquire();
            try {
                return !dead && item == null && !floor;
            } finally {
                release();
            }
        }

        int weight() {
            return weight;
        }

        /** What Caffeine should weigh this cell at, worked out again from what it holds (tests). */
        int weightOfContent() {
            SyncItem held = item;
            return held != null ? held.estimatedMemoryBytes() : TOMBSTONE_WEIGHT + 2 * id.length();
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public boolean live() {
            return !dead;
        }

        @Override
        public SyncItem item() {
            return item;
        }

        @Override
        public boolean attach(Object owner, SyncItem derivedFrom, Object value, long until) {
            if (derivedFrom == null || item != derivedFrom) {
                return false;
            }
            // A write that replaces the item after this check leaves an attachment no read will serve.
            attachment = new Attachment(derivedFrom, owner, value, until);
            return true;
        }

        @Override
        public Object attached(Object owner, TimeSource clock) {
            SyncItem current = item;
            if (current == null) {
                return null;
            }
            Object unencoded = current.unencodedValueFor(owner);
            if (unencoded != null) {
                return !current.hasExpiry() || current.expiresAt() > clock.currentTimeMillis() ? unencoded : null;
            }
            Attachment held = attachment;
            if (held == null || held.item != current || held.owner != owner) {
                return null;
            }
            return held.until == Long.MAX_VALUE || held.until > clock.currentTimeMillis() ? held.value : null;
        }

        @Override
        public String toString() {
            return "L1Ref{" + id + (live() ? "" : ", left L1") + "}";
        }
    }

    /** Spins on a cell's lock word before a waiter yields its core to the holder. */
    private static final int SPINS_BEFORE_YIELD = 64;

    /** Outcomes of {@link Cell#place}. */
    private static final int LOST = 0;
    private static final int WON = 1;
    private static final int NEEDS_MAP = 2;

    private static SyncItem itemOf(Cell cell) {
        return cell == null ? null : cell.item;
    }

    public MemoryTier(long maxBytes, TimeSource time) {
        this.configuredMaxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String id, Cell cell) -> cell.weight())
                .expireAfter(new SlotExpiry(time))
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(time.currentTimeMillis()))
                // Synchronous, for size, expiry and collection alike: derived copies leave with the entry.
                .evictionListener((String id, Cell cell, RemovalCause cause) -> {
                    cell.kill();
                    left(id);
                })
                .build();
        this.eviction = cache.policy().eviction().orElseThrow();
    }

    @Override
    public Tier level() {
        return Tier.L1;
    }

    @Override
    public String describe() {
        return "memory(" + configuredMaxBytes + " bytes)";
    }

    @Override
    public Optional<SyncItem> get(String id) {
        return Optional.ofNullable(itemOf(cache.getIfPresent(id)));
    }

    /**
     * The item L1 holds for {@code id}, read without side effects: no access is recorded and no maintenance runs,
     * so no eviction (and no {@link L1Listener} call) can happen on this thread. Safe to call while holding a lock
     * that a listener takes.
     */
    public Optional<SyncItem> peek(String id) {
        return Optional.ofNullable(itemOf(cache.policy().getIfPresentQuietly(id)));
    }

    /** Whether L1 remembers a delete of this id (so a lower tier's older copy must not be served or refilled). */
    public boolean hasTombstone(String id) {
        Cell cell = cache.getIfPresent(id);
        return cell != null && cell.isTombstone();
    }

    @Override
    public Map<String, SyncItem> getMany(Collection<String> ids) {
        Map<String, SyncItem> found = new HashMap<>();
        for (String id : ids) {
            get(id).ifPresent(item -> found.put(id, item));
        }
        return found;
    }

    @Override
    public void apply(List<? extends TierWrite> writes) {
        for (TierWrite write : writes) {
            apply(write);
        }
    }

    /** Applies one write if it is newer than what L1 holds; returns whether it won. */
    public boolean apply(TierWrite write) {
        return place(write.id(), placementOf(write));
    }

    private static Placement placementOf(TierWrite write) {
        return write instanceof TierWrite.Upsert upsert
                ? new Placement(upsert.item(), upsert.version(), false)
                : new Placement(null, write.version(), false);
    }

    /**
     * Another node stored {@code id} at {@code version}: what L1 holds is older, so reads must go below, and a fill
     * of an older copy that raced this notice is refused.
     */
    public boolean raiseFloor(String id, long version) {
        return place(id, new Placement(null, version, true));
    }

    /** The entry L1 holds for {@code id}, looked up without side effects; null if L1 holds none. */
    public L1Ref ref(String id) {
        Cell cell = cache.policy().getIfPresentQuietly(id);
        return cell == null || !cell.live() ? null : cell;
    }

    /** The length of {@code ref}'s id ({@code ref} of this tier). */
    public int idChars(L1Ref ref) {
        return ((Cell) ref).idChars;
    }

    /** The hash of {@code ref}'s id ({@code ref} of this tier). */
    public int idHash(L1Ref ref) {
        return ((Cell) ref).idHash;
    }

    /** Whether {@code ref} is an entry of this tier (live or not). */
    public boolean holds(L1Ref ref) {
        return ref instanceof Cell cell && cell.tier == this;
    }

    /**
     * {@link #apply(TierWrite)} through an entry a caller kept: without a map lookup while {@code ref} is live and
     * the write leaves its footprint as it was. {@code ref} must be this tier's, for the write's id.
     */
    public boolean apply(L1Ref ref, TierWrite write) {
        Cell cell = (Cell) ref;
        if (!cell.id.equals(write.id())) {
            throw new IllegalArgumentException("an L1 entry of '" + cell.id + "' cannot take a write of '"
                    + write.id() + "'");
        }
        return place(cell, write.id(), placementOf(write));
    }

    /** What {@link #linkQueuedWrite} left in {@code ref}; opaque to L1, and possibly outdated (the caller checks). */
    public Object queuedWrite(L1Ref ref) {
        return ((Cell) ref).queuedWrite;
    }

    /** Keeps the write-behind's note of the id's queued write in {@code ref}, for {@link #queuedWrite}. */
    public void linkQueuedWrite(L1Ref ref, Object queuedWrite) {
        ((Cell) ref).queuedWrite = queuedWrite;
    }

    /**
     * From now on {@code ref} carries the newer writes of its id for {@code queued}, the id's queued write, which
     * holds {@code write} ({@code bytes} pinned, routed to {@code routing}): {@link #absorbCarried} puts a newer
     * write here instead of into the queued write, so a writer that holds the entry touches nothing else, and the
     * queued write takes the newest back with {@link #detach} when the flusher takes it.
     */
    public void carry(L1Ref ref, Object queued, TierWrite write, int bytes, Object routing) {
        Cell cell = (Cell) ref;
        cell.acquire();
        try {
            cell.carrier = queued;
            cell.carried = write;
            cell.carriesItem = false;
            cell.carriedVersion = write.version();
            cell.carriedUpsert = write instanceof TierWrite.Upsert;
            cell.carriedBytes = bytes;
            cell.carriedRouting = routing;
        } finally {
            cell.release();
        }
    }

    /**
     * Carries {@code newer} ({@code newerBytes} pinned, routed to {@code routing}) instead of the write {@code ref}
     * carries now, if it carries one for {@code queued} (any queued write when null), with the same routing, an
     * upsert unless {@code intoDeletes}, and {@code newer} is not older. Returns the change of pinned bytes, or
     * {@link Integer#MIN_VALUE} when it did not.
     */
    public int absorbCarried(L1Ref ref, Object queued, TierWrite newer, int newerBytes, Object routing,
                             boolean intoDeletes) {
        Cell cell = (Cell) ref;
        cell.acquire();
        try {
            if (cell.carrier == null || queued != null && cell.carrier != queued || cell.carriedRouting != routing
                    || newer.version() < cell.carriedVersion || !intoDeletes && !cell.carriedUpsert) {
                return Integer.MIN_VALUE;
            }
            return cell.replaceCarried(newer, newerBytes);
        } finally {
            cell.release();
        }
    }

    /**
     * Takes {@code ref}'s lock if the entry is live and carries a queued write routed to {@code routing} that a new
     * upsert may replace (an upsert, unless {@code intoDeletes}) and holds an item: then a write made while the lock
     * is held may go in with {@link #carryLocked}, ordered against every other change of the entry, and the caller
     * must {@link #unlock} it. Returns false, holding nothing, otherwise.
     */
    public boolean lockCarrying(L1Ref ref, Object routing, boolean intoDeletes) {
        Cell cell = (Cell) ref;
        cell.acquire();
        if (!cell.dead && cell.item != null && cell.carrier != null && cell.carriedRouting == routing
                && (intoDeletes || cell.carriedUpsert)) {
            return true;
        }
        cell.release();
        return false;
    }

    /**
     * Under {@link #lockCarrying}: holds {@code item} and carries its upsert ({@code bytes} pinned) instead of the
     * carried write, if it is newer than both and weighs and expires as the held item does (a change Caffeine must
     * see goes through the map instead). Returns the change of pinned bytes, or {@link Integer#MIN_VALUE} when it
     * did not.
     */
    public int carryLocked(L1Ref ref, SyncItem item, int bytes) {
        Cell cell = (Cell) ref;
        if (cell.version >= item.version() || cell.carriedVersion > item.version()
                || item.estimatedMemoryBytes() != cell.weight || item.expiresAt() != cell.expiresAt) {
            return Integer.MIN_VALUE;
        }
        return cell.carryItem(item, bytes);
    }

    /** Ends {@link #lockCarrying}. */
    public void unlock(L1Ref ref) {
        ((Cell) ref).release();
    }

    /**
     * Waits until no write holds {@code id}'s entry's lock: a writer that takes the id's own lock first and then
     * calls this knows that every write through the entry either ended before, or sees that lock taken.
     */
    public void awaitEntryWriters(String id) {
        Cell cell = cache.policy().getIfPresentQuietly(id);
        if (cell != null) {
            cell.acquire();
            cell.release();
        }
    }

    /** The write {@code ref} carries for {@code queued}, or null if it carries none for it (any more). */
    public TierWrite carried(L1Ref ref, Object queued) {
        Cell cell = (Cell) ref;
        cell.acquire();
        try {
            return cell.carrier == queued ? cell.carriedWrite() : null;
        } finally {
            cell.release();
        }
    }

    /**
     * Ends {@link #carry} for {@code queued}: returns the newest write {@code ref} carried for it (null if it carried
     * none for it), after handing it to {@code receiver} inside the entry's lock, so no reader sees the carrying end
     * before the queued write holds what was carried.
     */
    public TierWrite detach(L1Ref ref, Object queued, java.util.function.Consumer<TierWrite> receiver) {
        return handOver(ref, queued, newest -> {
            receiver.accept(newest);
            return null;
        });
    }

    /**
     * {@link #detach}, except that when {@code receiver} answers a new queued write, {@code ref} goes on carrying
     * for that one, from the same newest write, with nothing pinned: the bytes of that write stay with
     * {@code queued}, which stores it.
     */
    public TierWrite handOver(L1Ref ref, Object queued, java.util.function.Function<TierWrite, Object> receiver) {
        Cell cell = (Cell) ref;
        cell.acquire();
        try {
            if (cell.carrier != queued) {
                return null;
            }
            TierWrite newest = cell.carriedWrite();
            Object next = receiver.apply(newest);
            if (next != null) {
                cell.carrier = next;
                cell.carriedBytes = 0;
            } else {
                cell.carrier = null;
                cell.carried = null;
                cell.carriedRouting = null;
            }
            return newest;
        } finally {
            cell.release();
        }
    }

    private boolean place(String key, Placement candidate) {
        return place(cache.getIfPresent(key), key, candidate);
    }

    private boolean place(Cell held, String key, Placement candidate) {
        if (held != null) {
            int outcome = held.place(candidate, false);
            if (outcome != NEEDS_MAP) {
                return outcome == WON;
            }
        }
        boolean[] won = {false};
        cache.asMap().compute(key, (id, cell) -> {
            if (cell != null) {
                // Returning the same cell has Caffeine weigh and time it afresh; a dead one is replaced.
                int outcome = cell.place(candidate, true);
                if (outcome != NEEDS_MAP) {
                    won[0] = outcome == WON;
                    return cell;
                }
            }
            won[0] = true;
            return new Cell(this, id, candidate);
        });
        return won[0];
    }

    public void addListener(L1Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(L1Listener listener) {
        listeners.remove(listener);
    }

    private void left(String id) {
        if (listeners.isEmpty()) {
            return;
        }
        for (L1Listener listener : listeners) {
            try {
                listener.left(id);
            } catch (RuntimeException e) {
                LOG.warn("L1 listener {} failed on '{}' leaving", listener, id, e);
            }
        }
    }

    private void clearedAll() {
        for (L1Listener listener : listeners) {
            try {
                listener.clearedAll();
            } catch (RuntimeException e) {
                LOG.warn("L1 listener {} failed on clearing L1", listener, e);
            }
        }
    }

    /** Puts a copy read from a lower tier, unless L1 already has that version, a newer one, or a newer delete. */
    public boolean fill(SyncItem item) {
        return apply(new TierWrite.Upsert(item));
    }

    /** Drops the entry whatever its version (used when L1 can no longer be trusted for it). */
    public void invalidate(String id) {
        boolean[] removed = {false};
        cache.asMap().computeIfPresent(id, (key, cell) -> {
            cell.kill();
            removed[0] = true;
            return null;
        });
        if (removed[0]) {
            left(id);
        }
    }

    public void invalidateAll() {
        dropAll();
        clearedAll();
    }

    /** A cell written meanwhile in place of a killed one is removed as well, only not marked (it was never read). */
    private void dropAll() {
        cache.asMap().values().forEach(Cell::kill);
        cache.invalidateAll();
    }

    @Override
    public List<SyncItem> scanPrefix(String prefix, String afterId, int limit, long nowMillis) {
        return scan(item -> item.id().startsWith(prefix), afterId, limit, nowMillis);
    }

    @Override
    public long countPrefix(String prefix, long nowMillis) {
        return count(item -> item.id().startsWith(prefix), nowMillis);
    }

    @Override
    public List<String> idsByPrefix(String prefix, String afterId, int limit, long nowMillis) {
        return ids(scanPrefix(prefix, afterId, limit, nowMillis));
    }

    @Override
    public List<SyncItem> scanState(String state, String afterId, int limit, long nowMillis) {
        return scan(item -> item.state().equals(state), afterId, limit, nowMillis);
    }

    @Override
    public long countByState(String state, long nowMillis) {
        return count(item -> item.state().equals(state), nowMillis);
    }

    @Override
    public List<String> idsByState(String state, String afterId, int limit, long nowMillis) {
        return ids(scanState(state, afterId, limit, nowMillis));
    }

    @Override
    public long purgeExpired(long nowMillis) {
        // Caffeine drops entries by its own ticker; the caller's instant may be ahead of it, so remove by nowMillis.
        List<String> purged = new ArrayList<>();
        for (String id : List.copyOf(cache.asMap().keySet())) {
            cache.asMap().computeIfPresent(id, (key, cell) -> {
                SyncItem item = cell.item;
                if (item == null || !item.isExpiredAt(nowMillis)) {
                    return cell;
                }
                cell.kill();
                purged.add(key);
                return null;
            });
        }
        cache.cleanUp();
        purged.forEach(this::left);
        return purged.size();
    }

    @Override
    public long size() {
        return cache.asMap().values().stream().filter(cell -> cell.item != null).count();
    }

    @Override
    public void ping() {
        // Memory always answers.
    }

    @Override
    public void close() {
        dropAll();
        cache.cleanUp();
        clearedAll();
    }

    /** Bytes L1 holds now by its weigher (payloads, overhead, tombstones). */
    public long weightedBytes() {
        return eviction.weightedSize().orElse(0L);
    }

    /** What the entries hold now weighs, worked out afresh (tests compare it with {@link #weightedBytes}). */
    long weightOfHeldEntries() {
        long total = 0;
        for (Map.Entry<String, Cell> entry : cache.asMap().entrySet()) {
            total += entry.getValue().weightOfContent();
        }
        return total;
    }

    /** The budget L1 evicts down to; lowered while unflushed writes hold part of the memory budget. */
    public long maximumBytes() {
        return eviction.getMaximum();
    }

    public void setMaximumBytes(long maxBytes) {
        eviction.setMaximum(Math.max(0, Math.min(maxBytes, configuredMaxBytes)));
    }

    /** Runs pending evictions now; statistics are exact afterwards. */
    public void cleanUp() {
        cache.cleanUp();
    }

    private List<SyncItem> scan(Predicate<SyncItem> matches, String afterId, int limit, long nowMillis) {
        List<SyncItem> found = new ArrayList<>();
        for (Cell cell : cache.asMap().values()) {
            SyncItem item = cell.item;
            if (item != null && !item.isExpiredAt(nowMillis) && matches.test(item)
                    && (afterId == null || IdOrder.compare(item.id(), afterId) > 0)) {
                found.add(item);
            }
        }
        found.sort(Comparator.comparing(SyncItem::id, IdOrder.COMPARATOR));
        return found.size() > limit ? new ArrayList<>(found.subList(0, limit)) : found;
    }

    private long count(Predicate<SyncItem> matches, long nowMillis) {
        return cache.asMap().values().stream()
                .map(cell -> cell.item)
                .filter(item -> item != null && !item.isExpiredAt(nowMillis) && matches.test(item))
                .count();
    }

    private static List<String> ids(List<SyncItem> items) {
        return items.stream().map(SyncItem::id).toList();
    }

    /** Items leave L1 when their own expiry passes; tombstones and items without expiry stay until evicted. */
    private static final class SlotExpiry implements Expiry<String, Cell> {
        private final TimeSource time;

        SlotExpiry(TimeSource time) {
            this.time = time;
        }

        @Override
        public long expireAfterCreate(String id, Cell cell, long currentTime) {
            return remaining(cell);
        }

        @Override
        public long expireAfterUpdate(String id, Cell cell, long currentTime, long currentDuration) {
            return remaining(cell);
        }

        @Override
        public long expireAfterRead(String id, Cell cell, long currentTime, long currentDuration) {
            return currentDuration;
        }

        private long remaining(Cell cell) {
            if (cell.expiresAt == SyncItem.NO_EXPIRY) {
                return Long.MAX_VALUE;
            }
            long millis = cell.expiresAt - time.currentTimeMillis();
            return millis <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(millis);
        }
    }
}
