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
 * from a lower tier cannot put it back after the delete: every write, fill and delete goes through one
 * version-guarded compute, and the newest version wins whatever the interleaving.
 *
 * <p>Caffeine holds a {@link Cell} per id, from the id's first write until it leaves L1, and the slot inside it is
 * what the id's state is. A write that leaves the entry's weight and expiry as they were (an overwrite with a
 * same-sized payload, the common case under load) swaps the slot with one compare-and-set, with no Caffeine write
 * at all; any other write swaps it inside a Caffeine compute that returns the same cell, so Caffeine weighs and
 * times it afresh. A cell that leaves Caffeine (evicted, expired, invalidated) is marked dead first, under
 * Caffeine's lock for the id, so no swap can land in a cell the map no longer holds. The cell is the id's
 * {@link L1Ref}: a layer above may keep it, write through it and attach a value derived from its item.
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
     * What L1 holds for an id: the item; a tombstone remembering a delete's version; or a floor, left by another
     * node's write that L1 has not seen: reads go below, and only a copy at least that new may fill the slot.
     */
    private record Slot(SyncItem item, long version, boolean floor, int itemWeight, long expiresAt) {
        Slot(SyncItem item, long version, boolean floor) {
            // Kept in the slot so an overwrite compares footprints without reading the old item.
            this(item, version, floor, item == null ? 0 : item.estimatedMemoryBytes(),
                    item == null ? SyncItem.NO_EXPIRY : item.expiresAt());
        }

        boolean isTombstone() {
            return item == null && !floor;
        }

        /** Whether this slot keeps {@code candidate} out. */
        boolean outranks(Slot candidate) {
            return floor ? version > candidate.version : version >= candidate.version;
        }

        int weight(String id) {
            return item == null ? TOMBSTONE_WEIGHT + 2 * id.length() : itemWeight;
        }

        /** Whether Caffeine would weigh and expire {@code other} exactly as this slot (both hold items). */
        boolean sameFootprint(Slot other) {
            return item != null && other.item != null && itemWeight == other.itemWeight
                    && expiresAt == other.expiresAt;
        }
    }

    /** What a dead cell holds: outranks every write, and reads as absent. */
    private static final Slot DEAD = new Slot(null, Long.MAX_VALUE, true);

    /** A value a layer above derived from the item in {@code slot}; served while the cell still holds that slot. */
    private record Attachment(Slot slot, Object owner, Object value, long until) {
    }

    /** The entry Caffeine holds for an id; its slot changes in place for as long as the entry stays in L1. */
    private static final class Cell implements L1Ref {
        private static final VarHandle SLOT;

        static {
            try {
                SLOT = MethodHandles.lookup().findVarHandle(Cell.class, "slot", Slot.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final MemoryTier tier;
        private final String id;
        private volatile Slot slot;
        private volatile Attachment attachment;
        /** The write-behind's note of this id's queued write, so a write through the cell finds it without a lookup. */
        private volatile Object queuedWrite;

        Cell(MemoryTier tier, String id, Slot slot) {
            this.tier = tier;
            this.id = id;
            this.slot = slot;
        }

        boolean swap(Slot expected, Slot next) {
            return SLOT.compareAndSet(this, expected, next);
        }

        /** Leaves the map: from now on no swap lands here. */
        void kill() {
            slot = DEAD;
            attachment = null;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public boolean live() {
            return slot != DEAD;
        }

        @Override
        public SyncItem item() {
            return slot.item();
        }

        @Override
        public boolean attach(Object owner, SyncItem item, Object value, long until) {
            Slot current = slot;
            if (item == null || current.item() != item) {
                return false;
            }
            // A write that swaps the slot after this read leaves an attachment no read will serve.
            attachment = new Attachment(current, owner, value, until);
            return true;
        }

        @Override
        public Object attached(Object owner, TimeSource clock) {
            Attachment held = attachment;
            if (held == null || held.slot != slot || held.owner != owner) {
                return null;
            }
            return held.until == Long.MAX_VALUE || held.until > clock.currentTimeMillis() ? held.value : null;
        }

        @Override
        public String toString() {
            return "L1Ref{" + id + (live() ? "" : ", left L1") + "}";
        }
    }

    /** Slot write outcomes of {@link #swapIn}. */
    private static final int LOST = 0;
    private static final int WON = 1;
    private static final int NEEDS_MAP = 2;

    private static Slot slotOf(Cell cell) {
        return cell == null ? null : cell.slot;
    }

    public MemoryTier(long maxBytes, TimeSource time) {
        this.configuredMaxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String id, Cell cell) -> cell.slot.weight(id))
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
        Slot slot = slotOf(cache.getIfPresent(id));
        return slot == null || slot.item() == null ? Optional.empty() : Optional.of(slot.item());
    }

    /**
     * The item L1 holds for {@code id}, read without side effects: no access is recorded and no maintenance runs,
     * so no eviction (and no {@link L1Listener} call) can happen on this thread. Safe to call while holding a lock
     * that a listener takes.
     */
    public Optional<SyncItem> peek(String id) {
        Slot slot = slotOf(cache.policy().getIfPresentQuietly(id));
        return slot == null || slot.item() == null ? Optional.empty() : Optional.of(slot.item());
    }

    /** Whether L1 remembers a delete of this id (so a lower tier's older copy must not be served or refilled). */
    public boolean hasTombstone(String id) {
        Slot slot = slotOf(cache.getIfPresent(id));
        return slot != null && slot.isTombstone();
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
        return place(write.id(), slotOf(write));
    }

    private static Slot slotOf(TierWrite write) {
        return write instanceof TierWrite.Upsert upsert
                ? new Slot(upsert.item(), upsert.version(), false)
                : new Slot(null, write.version(), false);
    }

    /**
     * Another node stored {@code id} at {@code version}: what L1 holds is older, so reads must go below, and a fill
     * of an older copy that raced this notice is refused.
     */
    public boolean raiseFloor(String id, long version) {
        return place(id, new Slot(null, version, true));
    }

    /** The entry L1 holds for {@code id}, looked up without side effects; null if L1 holds none. */
    public L1Ref ref(String id) {
        Cell cell = cache.policy().getIfPresentQuietly(id);
        return cell == null || !cell.live() ? null : cell;
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
        return place(cell, write.id(), slotOf(write));
    }

    /** What {@link #linkQueuedWrite} left in {@code ref}; opaque to L1, and possibly outdated (the caller checks). */
    public Object queuedWrite(L1Ref ref) {
        return ((Cell) ref).queuedWrite;
    }

    /** Keeps the write-behind's note of the id's queued write in {@code ref}, for {@link #queuedWrite}. */
    public void linkQueuedWrite(L1Ref ref, Object queuedWrite) {
        ((Cell) ref).queuedWrite = queuedWrite;
    }

    private boolean place(String key, Slot candidate) {
        return place(cache.getIfPresent(key), key, candidate);
    }

    private boolean place(Cell held, String key, Slot candidate) {
        if (held != null) {
            int outcome = swapIn(held, candidate);
            if (outcome != NEEDS_MAP) {
                return outcome == WON;
            }
        }
        boolean[] won = {false};
        cache.asMap().compute(key, (id, cell) -> {
            if (cell != null) {
                for (Slot current = cell.slot; current != DEAD; current = cell.slot) {
                    if (current.outranks(candidate)) {
                        return cell;
                    }
                    // A swap that lands first is judged again. Returning the same cell has Caffeine weigh and time
                    // it afresh; a swap landing after that keeps the footprint it was weighed with.
                    if (cell.swap(current, candidate)) {
                        won[0] = true;
                        return cell;
                    }
                }
            }
            won[0] = true;
            return new Cell(this, id, candidate);
        });
        return won[0];
    }

    /** Swaps {@code candidate} into {@code cell} if it wins and keeps the cell's footprint; {@link #NEEDS_MAP} else. */
    private static int swapIn(Cell cell, Slot candidate) {
        for (Slot current = cell.slot; current != DEAD; current = cell.slot) {
            if (current.outranks(candidate)) {
                return LOST;
            }
            if (!current.sameFootprint(candidate)) {
                return NEEDS_MAP;
            }
            if (cell.swap(current, candidate)) {
                return WON;
            }
        }
        return NEEDS_MAP;
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
                SyncItem item = cell.slot.item();
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
        return cache.asMap().values().stream().filter(cell -> cell.slot.item() != null).count();
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

    /** What the slots held now weigh, summed afresh (tests compare it with {@link #weightedBytes}). */
    long weightOfHeldSlots() {
        long total = 0;
        for (Map.Entry<String, Cell> entry : cache.asMap().entrySet()) {
            total += entry.getValue().slot.weight(entry.getKey());
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
            SyncItem item = cell.slot.item();
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
                .map(cell -> cell.slot.item())
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
            return remaining(cell.slot);
        }

        @Override
        public long expireAfterUpdate(String id, Cell cell, long currentTime, long currentDuration) {
            return remaining(cell.slot);
        }

        @Override
        public long expireAfterRead(String id, Cell cell, long currentTime, long currentDuration) {
            return currentDuration;
        }

        private long remaining(Slot slot) {
            if (slot.item() == null || slot.expiresAt() == SyncItem.NO_EXPIRY) {
                return Long.MAX_VALUE;
            }
            long millis = slot.expiresAt() - time.currentTimeMillis();
            return millis <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(millis);
        }
    }
}
