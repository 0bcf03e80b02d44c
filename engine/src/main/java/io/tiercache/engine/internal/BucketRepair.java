package io.tiercache.engine.internal;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.merkle.CacheTreeTier;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.ItemDigest;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.sql.L3MerkleView;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes one divergent leaf bucket of L2 hold what L3 holds: reads the bucket's rows in L3 and its items in L2 (both
 * through bucket indexes, so the cost is the bucket's size), corrects L3's own leaf if it disagrees with its rows,
 * then drops from L2 what L3 lacks, rewrites what differs, and sets L2's leaf. L1 forgets every id touched.
 *
 * <p>Runs while no batch lands in L3 ({@link WriteBehind#withL3Quiet}): the flusher writes L2 after L3, so a repair
 * reading L3 between the two could otherwise put back an older copy than the one the flusher is about to write.
 */
final class BucketRepair {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BucketRepair.class);
    /** How long a write may take from L2 to L3: far above a flush interval, below any sync interval worth having. */
    static final long IN_FLIGHT_MS = 60_000;
    private final L3MerkleView l3;
    private final MemoryTier l1;
    private final Coherence coherence;
    private final TimeSource time;

    BucketRepair(L3MerkleView l3, MemoryTier l1, Coherence coherence, TimeSource time) {
        this.l3 = l3;
        this.l1 = l1;
        this.coherence = coherence;
        this.time = time;
    }

    /**
     * Repairs the given buckets together: a few round trips for all of them, not per bucket.
     *
     * @param scanned the buckets as a deep run found L2's items; null to read them through L2's bucket index
     */
    void repair(CacheTreeTier l2, String namespace, List<MerklePath> leaves,
                Map<MerklePath, Map<String, SyncItem>> scanned, boolean dryRun, SyncTally tally)
            throws TierAccessException {
        Map<MerklePath, List<SyncItem>> rows = byLeaf(l3.bucketItems(namespace, leaves));
        Map<String, SyncItem> cached = new HashMap<>();
        if (scanned == null) {
            cached.putAll(l2.bucketItems(namespace, leaves));
        } else {
            leaves.forEach(leaf -> cached.putAll(scanned.getOrDefault(leaf, Map.of())));
        }
        tally.bucketsCompared += leaves.size();
        tally.itemsRead += rows.values().stream().mapToInt(List::size).sum() + cached.size();
        fixL3Leaves(namespace, leaves, rows, dryRun, tally);

        long now = time.currentTimeMillis();
        Map<String, SyncItem> truth = new HashMap<>();
        Map<MerklePath, Digest256> leafDigests = new HashMap<>();
        for (MerklePath leaf : leaves) {
            Digest256 digest = Digest256.ZERO;
            for (SyncItem row : rows.getOrDefault(leaf, List.of())) {
                if (!row.isIntact()) {
                    tally.error("L3 row '" + row.id() + "' fails its hash check; it is not copied to L2");
                } else if (!row.hasExpiry() || row.expiresAt() > now) {
                    truth.put(row.id(), row);
                    digest = digest.plus(ItemDigest.of(row.id(), ItemState.of(row)));
                }
            }
            leafDigests.put(leaf, digest);
        }
        Set<MerklePath> inFlight = inFlightLeaves(cached, truth, now);
        Set<String> remove = new LinkedHashSet<>();
        cached.keySet().forEach(id -> {
            if (!truth.containsKey(id) && !inFlight.contains(MerklePath.bucketOf(id))) {
                remove.add(id);
            }
        });
        List<SyncItem> write = new ArrayList<>();
        for (SyncItem row : truth.values()) {
            if (inFlight.contains(MerklePath.bucketOf(row.id()))) {
                continue;
            }
            SyncItem copy = cached.get(row.id());
            if (copy == null || !copy.isIntact() || copy.version() != row.version()
                    || !copy.contentHash().equals(row.contentHash())) {
                write.add(row);
            }
        }
        Set<String> ids = new LinkedHashSet<>(cached.keySet());
        ids.addAll(truth.keySet());
        tally.itemsChecked += ids.size();
        Map<MerklePath, Digest256> stored = l2.source(namespace).nodes(leaves);
        Map<MerklePath, Digest256> wrongLeaves = new HashMap<>();
        leafDigests.forEach((leaf, digest) -> {
            if (inFlight.contains(leaf)) {
                return;
            }
            if (!digest.equals(stored.getOrDefault(leaf, Digest256.ZERO)) || touches(leaf, remove, write)) {
                wrongLeaves.put(leaf, digest);
            }
        });
        if (dryRun || (remove.isEmpty() && write.isEmpty() && wrongLeaves.isEmpty())) {
            return;
        }
        l2.repairBuckets(namespace, wrongLeaves, mustEvict(cached, remove, write),
                guardedWrites(cached, remove, write));
        tally.repaired(Tier.L2, write.size());
        tally.removed(Tier.L2, remove.size());
        Map<String, Long> versions = new HashMap<>();
        remove.forEach(id -> versions.put(id, cached.get(id).version()));
        write.forEach(row -> versions.merge(row.id(), cached.containsKey(row.id())
                ? Math.max(row.version(), cached.get(row.id()).version()) : row.version(), Math::max));
        forgetInL1(versions, tally);
    }

    /**
     * Buckets left for a later run: those where L2 holds an intact copy newer than L3's (or one L3 lacks) written
     * within {@link #IN_FLIGHT_MS}. That is what a write on its way looks like (a conditional write lands in Redis
     * first and in L3 with the next flush, on whichever node made it), and dropping it would take away the copy other
     * nodes compare-and-set against. Junk that old enough is repaired as usual.
     */
    private static Set<MerklePath> inFlightLeaves(Map<String, SyncItem> cached, Map<String, SyncItem> truth,
                                                  long now) {
        Set<MerklePath> leaves = new HashSet<>();
        for (SyncItem copy : cached.values()) {
            SyncItem row = truth.get(copy.id());
            if (copy.isIntact() && (row == null || copy.version() > row.version())
                    && now - copy.updatedAt() < IN_FLIGHT_MS) {
                leaves.add(MerklePath.bucketOf(copy.id()));
            }
        }
        if (!leaves.isEmpty()) {
            LOG.debug("{} buckets hold writes still on their way to L3; they are compared again next run", leaves.size());
        }
        return leaves;
    }

    /**
     * Copies a version-guarded write cannot replace: corrupt ones, and wrong ones at a version not below L3's
     * (junk written at a high version).
     */
    private static List<String> mustEvict(Map<String, SyncItem> cached, Set<String> remove, List<SyncItem> write) {
        List<String> evict = new ArrayList<>();
        for (String id : remove) {
            if (!cached.get(id).isIntact()) {
                evict.add(id);
            }
        }
        for (SyncItem row : write) {
            SyncItem copy = cached.get(row.id());
            if (copy != null && (!copy.isIntact() || copy.version() >= row.version())) {
                evict.add(row.id());
            }
        }
        return evict;
    }

    /**
     * The repair as ordinary version-guarded writes, so a newer write another node makes meanwhile is never undone:
     * L3's rows as upserts, and for each copy L3 lacks a delete of exactly the version seen (or older).
     */
    private static List<TierWrite> guardedWrites(Map<String, SyncItem> cached, Set<String> remove,
                                                 List<SyncItem> write) {
        List<TierWrite> writes = new ArrayList<>(remove.size() + write.size());
        for (String id : remove) {
            long seen = cached.get(id).version();
            writes.add(new TierWrite.Delete(id, seen == Long.MAX_VALUE ? seen : seen + 1));
        }
        write.forEach(row -> writes.add(new TierWrite.Upsert(row)));
        return writes;
    }

    /** Whether a repair writes or drops an item of {@code leaf} (whose leaf must then be set again). */
    private static boolean touches(MerklePath leaf, Set<String> remove, List<SyncItem> write) {
        for (String id : remove) {
            if (MerklePath.bucketOf(id).equals(leaf)) {
                return true;
            }
        }
        for (SyncItem item : write) {
            if (MerklePath.bucketOf(item.id()).equals(leaf)) {
                return true;
            }
        }
        return false;
    }

    private static Map<MerklePath, List<SyncItem>> byLeaf(List<SyncItem> rows) {
        Map<MerklePath, List<SyncItem>> out = new HashMap<>();
        for (SyncItem row : rows) {
            out.computeIfAbsent(MerklePath.bucketOf(row.id()), leaf -> new ArrayList<>()).add(row);
        }
        return out;
    }

    private void fixL3Leaves(String namespace, List<MerklePath> leaves, Map<MerklePath, List<SyncItem>> rows,
                             boolean dryRun, SyncTally tally) throws TierAccessException {
        Map<MerklePath, Digest256> stored = l3.source(namespace).nodes(leaves);
        Map<MerklePath, Digest256> corrected = new HashMap<>();
        for (MerklePath leaf : leaves) {
            Digest256 computed = Digest256.ZERO;
            for (SyncItem row : rows.getOrDefault(leaf, List.of())) {
                computed = computed.plus(ItemDigest.of(row.id(), L3MerkleView.stateOf(row)));
            }
            if (!computed.equals(stored.getOrDefault(leaf, Digest256.ZERO))) {
                corrected.put(leaf, computed);
            }
        }
        if (!corrected.isEmpty() && !dryRun) {
            l3.replaceLeaves(namespace, corrected);
            tally.repaired(Tier.L3, corrected.size());
        }
    }

    /**
     * Drops the ids from L1 here and tells other nodes, at the highest version either tier held: their L1 drops any
     * copy up to it (a junk copy may carry a version above L3's) and refuses older fills, so they read below.
     */
    private void forgetInL1(Map<String, Long> versions, SyncTally tally) {
        long dropped = 0;
        List<TierWrite.Delete> announce = new ArrayList<>(versions.size());
        for (Map.Entry<String, Long> e : versions.entrySet()) {
            if (l1.get(e.getKey()).isPresent()) {
                dropped++;
            }
            l1.invalidate(e.getKey());
            announce.add(new TierWrite.Delete(e.getKey(), e.getValue()));
        }
        tally.removed(Tier.L1, dropped);
        if (coherence != null && !announce.isEmpty()) {
            try {
                coherence.announceChanged(announce);
            } catch (TierAccessException e) {
                // Not a failed repair: a node that cannot follow the change stream already distrusts its L1.
                LOG.warn("other nodes were not told of {} repaired ids: {}", announce.size(), e.getMessage());
            }
        }
    }
}
