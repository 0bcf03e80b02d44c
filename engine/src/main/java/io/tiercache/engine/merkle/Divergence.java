package io.tiercache.engine.merkle;

import io.tiercache.engine.tier.TierAccessException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Finds where two copies of a namespace's tree disagree, top-down: compare the roots; where two nodes differ, read
 * both sides' children and keep only the children that differ; stop at the leaves. A subtree whose digests match is
 * never read, so the cost follows the divergence: each differing internal node costs at most 16 child reads per
 * side, and a side is asked once per level (4 round trips at most), never once per node.
 *
 * <pre>{@code
 * SortedSet<MerklePath> buckets = Divergence.drillDown(l3.source("users"), l2Tree);
 * for (MerklePath bucket : buckets) {
 *     repair(bucket);  // re-copy the items of this bucket from L3 to L2
 * }
 * }</pre>
 */
public final class Divergence {

    private Divergence() {
    }

    /**
     * The paths whose digests differ between two sets of sibling nodes (as {@link MerkleTree#children} or
     * {@link NodeSource#childrenOf} give them): present on one side only, or present on both with different digests.
     * A ZERO digest counts as absent, as it does in the tree.
     */
    public static SortedSet<MerklePath> findDivergentPaths(Map<MerklePath, Digest256> local,
                                                           Map<MerklePath, Digest256> remote) {
        if (local == null || remote == null) {
            throw new IllegalArgumentException("both sides' nodes are required (an empty side is an empty map)");
        }
        SortedSet<MerklePath> divergent = new TreeSet<>();
        addDifferences(local, remote, divergent);
        addDifferences(remote, local, divergent);
        return divergent;
    }

    private static void addDifferences(Map<MerklePath, Digest256> from, Map<MerklePath, Digest256> other,
                                       Set<MerklePath> into) {
        from.forEach((path, digest) -> {
            if (path == null) {
                throw new IllegalArgumentException("a node has a null path");
            }
            Digest256 mine = digest == null ? Digest256.ZERO : digest;
            if (!mine.equals(other.getOrDefault(path, Digest256.ZERO))) {
                into.add(path);
            }
        });
    }

    /**
     * The leaf buckets whose digests differ between the two sources; empty when the roots agree.
     *
     * <p>The sources are read level by level, not as one snapshot: a write racing the walk can make it report a
     * bucket that no longer differs, or miss one that started to differ after its level was read. Repair is
     * idempotent and anti-entropy runs again, so the caller repairs what it got and compares roots once more.
     */
    public static SortedSet<MerklePath> drillDown(NodeSource local, NodeSource remote) throws TierAccessException {
        if (local == null || remote == null) {
            throw new IllegalArgumentException("both node sources are required");
        }
        List<MerklePath> frontier = new ArrayList<>(
                findDivergentPaths(local.nodes(List.of(MerklePath.ROOT)), remote.nodes(List.of(MerklePath.ROOT))));
        while (!frontier.isEmpty() && !frontier.get(0).isLeaf()) {
            frontier = new ArrayList<>(findDivergentPaths(local.childrenOf(frontier), remote.childrenOf(frontier)));
        }
        return new TreeSet<>(frontier);
    }

    /**
     * A source that counts the node paths asked of the one it wraps and the calls made, so tests and metrics can
     * show what a comparison cost.
     */
    public static final class CountingSource implements NodeSource {
        private final NodeSource delegate;
        private long pathsRead;
        private long calls;

        public CountingSource(NodeSource delegate) {
            if (delegate == null) {
                throw new IllegalArgumentException("delegate must not be null");
            }
            this.delegate = delegate;
        }

        @Override
        public synchronized Map<MerklePath, Digest256> nodes(Collection<MerklePath> paths)
                throws TierAccessException {
            calls++;
            pathsRead += paths.size();
            return delegate.nodes(paths);
        }

        /** Node paths asked for, empty ones included (each is a row lookup for a store). */
        public synchronized long pathsRead() {
            return pathsRead;
        }

        /** Calls made: round trips, for a remote source. */
        public synchronized long calls() {
            return calls;
        }
    }
}
