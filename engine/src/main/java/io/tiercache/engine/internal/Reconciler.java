package io.tiercache.engine.internal;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.SyncOptions;
import io.tiercache.engine.SyncReport;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.merkle.CacheTreeTier;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.Divergence;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerkleNamespaces;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.MerkleTree;
import io.tiercache.engine.merkle.NodeSource;
import io.tiercache.engine.sql.L3MerkleView;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Reconciles L2 (and L1) with L3, namespace by namespace: compares the roots, then each of the root's 16 branches,
 * drills into a differing branch level by level reading only children of differing nodes, and repairs the leaf
 * buckets it ends at ({@link BucketRepair}). Agreeing subtrees are never read, so a run costs what the divergence
 * costs.
 *
 * <p><b>Resuming.</b> A run stopped by its time budget or a failure keeps a cursor after the last completed branch;
 * the next run continues the pass from there. <b>Preconditions.</b> A run is skipped, and reported so, while L3 is
 * behind its local WAL or L2 still owes invalidations: L2 may then legitimately be newer than L3, and copying L3 over
 * it would put old data back.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Buckets repaired together: few round trips each, and batches of L3 writes wait at most one chunk. */
    private static final int REPAIR_CHUNK = 128;

    /** The cache tier's trees; throws while it is unreachable. */
    @FunctionalInterface
    public interface CacheTrees {
        CacheTreeTier get() throws TierAccessException;
    }

    private record Cursor(String namespace, int branch) {
    }

    private final L3MerkleView l3;
    private final ItemTier l3Tier;
    private final ItemTier l2Tier;
    private final CacheTrees l2;
    private final WriteBehind writeBehind;
    private final BucketRepair buckets;
    private final TimeSource time;
    private Cursor cursor;

    public Reconciler(L3MerkleView l3, ItemTier l3Tier, ItemTier l2Tier, CacheTrees l2, WriteBehind writeBehind,
                      io.tiercache.engine.memory.MemoryTier l1, Coherence coherence, TimeSource time) {
        this.l3 = l3;
        this.l3Tier = l3Tier;
        this.l2Tier = l2Tier;
        this.l2 = l2;
        this.writeBehind = writeBehind;
        this.buckets = new BucketRepair(l3, l1, coherence, time);
        this.time = time;
    }

    /** One run; never throws for a tier failure (the report says what failed). */
    public synchronized SyncReport run(SyncOptions options) {
        SyncTally tally = new SyncTally();
        boolean resumed = cursor != null;
        if (writeBehind.hasWalBacklog()) {
            tally.error("skipped: L3 is behind its local WAL; L2 may hold newer writes than L3 until it drains");
            return tally.report(false, true, resumed);
        }
        if (writeBehind.cacheTierRepairsOwed() > 0) {
            tally.error("skipped: L2 still owes " + writeBehind.cacheTierRepairsOwed() + " invalidations");
            return tally.report(false, true, resumed);
        }
        long deadline = options.timeBudget() == null ? Long.MAX_VALUE
                : System.nanoTime() + options.timeBudget().toNanos();
        try {
            CacheTreeTier trees = l2.get();
            if (!options.dryRun()) {
                long now = time.currentTimeMillis();
                l3Tier.purgeExpired(now);
                l2Tier.purgeExpired(now);
            }
            for (String namespace : namespaces(trees, options)) {
                Cursor at = cursor;
                if (at != null && namespace.compareTo(at.namespace()) < 0) {
                    continue;
                }
                int from = at != null && namespace.equals(at.namespace()) ? at.branch() : 0;
                tally.namespaces++;
                if (!syncNamespace(trees, namespace, from, options, deadline, tally)) {
                    return tally.report(false, false, resumed);
                }
            }
            cursor = null;
            return tally.report(true, false, resumed);
        } catch (TierAccessException e) {
            tally.error(e.tier() + " unavailable: " + e.getMessage());
            if (!Thread.currentThread().isInterrupted()) {
                LOG.warn("merkle sync stopped: {} is unavailable ({})", e.tier(), e.getMessage());
            }
            return tally.report(false, tally.namespaces == 0, resumed);
        }
    }

    private List<String> namespaces(CacheTreeTier trees, SyncOptions options) throws TierAccessException {
        TreeSet<String> all = new TreeSet<>(l3.namespaces());
        all.addAll(trees.namespaces());
        if (options.namespaces().isEmpty()) {
            return new ArrayList<>(all);
        }
        List<String> wanted = new ArrayList<>();
        for (String name : options.namespaces()) {
            wanted.add(MerkleNamespaces.normalize(name));
        }
        wanted.sort(null);
        return wanted;
    }

    /** Returns false when the budget ran out (the cursor then names the next branch). */
    private boolean syncNamespace(CacheTreeTier trees, String namespace, int fromBranch, SyncOptions options,
                                  long deadline, SyncTally tally) throws TierAccessException {
        NodeSource s3 = l3.source(namespace);
        Map<MerklePath, Map<String, SyncItem>> scanned = options.deep() ? byBucket(trees.scanItems(namespace)) : null;
        NodeSource s2 = scanned == null ? trees.source(namespace) : treeOf(scanned, tally);
        tally.nodesCompared++;
        if (root(s3).equals(root(s2)) && fromBranch == 0) {
            return true;
        }
        Map<MerklePath, Digest256> c3 = s3.childrenOf(List.of(MerklePath.ROOT));
        Map<MerklePath, Digest256> c2 = s2.childrenOf(List.of(MerklePath.ROOT));
        tally.nodesCompared += MerklePath.FANOUT;
        List<MerklePath> branches = new ArrayList<>();
        for (int digit = fromBranch; digit < MerklePath.FANOUT; digit++) {
            MerklePath branch = MerklePath.ROOT.child(digit);
            if (!c3.getOrDefault(branch, Digest256.ZERO).equals(c2.getOrDefault(branch, Digest256.ZERO))) {
                branches.add(branch);
            }
        }
        List<MerklePath> stale = new ArrayList<>();
        List<MerklePath> leaves = drillDown(branches, s3, s2, stale, tally);
        for (int from = 0; from < leaves.size(); from += REPAIR_CHUNK) {
            List<MerklePath> chunk = leaves.subList(from, Math.min(leaves.size(), from + REPAIR_CHUNK));
            cursor = new Cursor(namespace, branchOf(chunk.get(0)));
            writeBehind.withL3Quiet(() -> {
                buckets.repair(trees, namespace, chunk, scanned, options.dryRun(), tally);
                return null;
            });
            int next = from + REPAIR_CHUNK;
            if (next < leaves.size() && System.nanoTime() > deadline) {
                // Resume at the branch of the first bucket not repaired; buckets before it in that branch are
                // compared again, and agree by then.
                cursor = new Cursor(namespace, branchOf(leaves.get(next)));
                return false;
            }
        }
        if (branches.isEmpty() && fromBranch == 0) {
            // The roots differ but no branch does: a root left stale by a writer that died before settling it.
            stale.add(MerklePath.ROOT);
        }
        if (!options.dryRun()) {
            for (MerklePath node : stale) {
                // The node differs but none of its children does: its stored value is stale in one tree.
                trees.settle(namespace, List.of(node.child(0)));
                l3.settle(namespace, List.of(node.child(0)));
            }
        }
        return true;
    }

    private static int branchOf(MerklePath path) {
        return Character.digit(path.hex().charAt(0), 16);
    }

    /**
     * Walks the divergent branches down together, one read per level and side, and returns the divergent leaves in
     * path order; nodes that differ while none of their children does are added to {@code stale}.
     */
    private static List<MerklePath> drillDown(List<MerklePath> branches, NodeSource s3, NodeSource s2,
                                              List<MerklePath> stale, SyncTally tally) throws TierAccessException {
        List<MerklePath> frontier = branches;
        while (!frontier.isEmpty() && !frontier.get(0).isLeaf()) {
            SortedSet<MerklePath> divergent = Divergence.findDivergentPaths(s3.childrenOf(frontier),
                    s2.childrenOf(frontier));
            tally.nodesCompared += (long) MerklePath.FANOUT * frontier.size();
            java.util.Set<MerklePath> parents = new java.util.HashSet<>();
            divergent.forEach(path -> parents.add(path.parent()));
            for (MerklePath node : frontier) {
                if (!parents.contains(node)) {
                    stale.add(node);
                }
            }
            frontier = new ArrayList<>(divergent);
        }
        return frontier;
    }

    private static Digest256 root(NodeSource source) throws TierAccessException {
        return source.nodes(List.of(MerklePath.ROOT)).getOrDefault(MerklePath.ROOT, Digest256.ZERO);
    }

    /**
     * L2's tree as its items are, for a deep run. A corrupt copy counts with a digest no good copy has, so its bucket
     * differs from L3's whether or not L3 holds the id.
     */
    private static MerkleTree treeOf(Map<MerklePath, Map<String, SyncItem>> buckets, SyncTally tally) {
        Map<String, ItemState> states = new HashMap<>();
        buckets.values().forEach(items -> items.forEach((id, item) -> {
            tally.itemsRead++;
            states.put(id, item.isIntact() ? ItemState.of(item) : new ItemState(ContentHash.sha256Hex(
                    ("corrupt:" + item.contentHash()).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    item.version()));
        }));
        return MerkleTree.build(states);
    }

    private static Map<MerklePath, Map<String, SyncItem>> byBucket(Map<String, SyncItem> items) {
        Map<MerklePath, Map<String, SyncItem>> out = new HashMap<>();
        items.forEach((id, item) -> out.computeIfAbsent(MerklePath.bucketOf(id), leaf -> new HashMap<>())
                .put(id, item));
        return out;
    }
}
