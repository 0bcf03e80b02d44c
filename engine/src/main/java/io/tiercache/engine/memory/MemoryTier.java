package io.tiercache.engine.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.internal.IdOrder;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierWrite;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * L1: items in process memory, bounded by bytes (Caffeine, weigher = payload + overhead).
 *
 * <p>Deletes leave a small versioned tombstone instead of removing the entry, so a read that fetched an older copy
 * from a lower tier cannot put it back after the delete: every write, fill and delete goes through one
 * version-guarded compute, and the newest version wins whatever the interleaving.
 */
public final class MemoryTier implements ItemTier {
    private static final int TOMBSTONE_WEIGHT = 96;

    private final Cache<String, Slot> cache;
    private final Policy.Eviction<String, Slot> eviction;
    private final long configuredMaxBytes;

    /** What L1 holds for an id: the item, or a tombstone ({@code item == null}) remembering a delete's version. */
    private record Slot(SyncItem item, long version) {
        boolean isTombstone() {
            return item == null;
        }
    }

    public MemoryTier(long maxBytes, TimeSource time) {
        this.configuredMaxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String id, Slot slot) -> slot.isTombstone()
                        ? TOMBSTONE_WEIGHT + 2 * id.length() : slot.item().estimatedMemoryBytes())
                .expireAfter(new SlotExpiry(time))
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(time.currentTimeMillis()))
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
        Slot slot = cache.getIfPresent(id);
        return slot == null || slot.isTombstone() ? Optional.empty() : Optional.of(slot.item());
    }

    /** Whether L1 remembers a delete of this id (so a lower tier's older copy must not be served or refilled). */
    public boolean hasTombstone(String id) {
        Slot slot = cache.getIfPresent(id);
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
        Slot candidate = write instanceof TierWrite.Upsert upsert
                ? new Slot(upsert.item(), upsert.version())
                : new Slot(null, write.version());
        boolean[] won = {false};
        cache.asMap().compute(write.id(), (id, current) -> {
            if (current != null && current.version() >= candidate.version()) {
                return current;
            }
            won[0] = true;
            return candidate;
        });
        return won[0];
    }

    /** Puts a copy read from a lower tier, unless L1 already has that version, a newer one, or a newer delete. */
    public boolean fill(SyncItem item) {
        return apply(new TierWrite.Upsert(item));
    }

    /** Drops the entry whatever its version (used when L1 can no longer be trusted for it). */
    public void invalidate(String id) {
        cache.invalidate(id);
    }

    public void invalidateAll() {
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
        long[] purged = {0};
        cache.asMap().entrySet().removeIf(entry -> {
            SyncItem item = entry.getValue().item();
            boolean expired = item != null && item.isExpiredAt(nowMillis);
            if (expired) {
                purged[0]++;
            }
            return expired;
        });
        cache.cleanUp();
        return purged[0];
    }

    @Override
    public long size() {
        return cache.asMap().values().stream().filter(slot -> !slot.isTombstone()).count();
    }

    @Override
    public void ping() {
        // Memory always answers.
    }

    @Override
    public void close() {
        cache.invalidateAll();
        cache.cleanUp();
    }

    /** Bytes L1 holds now by its weigher (payloads, overhead, tombstones). */
    public long weightedBytes() {
        return eviction.weightedSize().orElse(0L);
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
        for (Slot slot : cache.asMap().values()) {
            SyncItem item = slot.item();
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
                .map(Slot::item)
                .filter(item -> item != null && !item.isExpiredAt(nowMillis) && matches.test(item))
                .count();
    }

    private static List<String> ids(List<SyncItem> items) {
        return items.stream().map(SyncItem::id).toList();
    }

    /** Items leave L1 when their own expiry passes; tombstones and items without expiry stay until evicted. */
    private static final class SlotExpiry implements Expiry<String, Slot> {
        private final TimeSource time;

        SlotExpiry(TimeSource time) {
            this.time = time;
        }

        @Override
        public long expireAfterCreate(String id, Slot slot, long currentTime) {
            return remaining(slot);
        }

        @Override
        public long expireAfterUpdate(String id, Slot slot, long currentTime, long currentDuration) {
            return remaining(slot);
        }

        @Override
        public long expireAfterRead(String id, Slot slot, long currentTime, long currentDuration) {
            return currentDuration;
        }

        private long remaining(Slot slot) {
            if (slot.isTombstone() || !slot.item().hasExpiry()) {
                return Long.MAX_VALUE;
            }
            long millis = slot.item().expiresAt() - time.currentTimeMillis();
            return millis <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(millis);
        }
    }
}
