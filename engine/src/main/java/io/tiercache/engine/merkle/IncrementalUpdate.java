package io.tiercache.engine.merkle;

import io.tiercache.engine.tier.TierAccessException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A batch of item changes applied to a tree that lives in a store rather than in memory: reads only the touched
 * leaves and, level by level, the 16 children of each touched parent, and returns the nodes whose digest changed
 * ({@link Digest256#ZERO}: delete it), ready for {@link MerkleStore#store}. Cost: one read per level (at most five),
 * each proportional to the touched nodes, never to the namespace.
 *
 * <pre>{@code
 * Map<MerklePath, Digest256> changed = IncrementalUpdate.apply(store.source("users/"), batchChanges);
 * store.store("users/", changed);
 * }</pre>
 *
 * <p>The caller must keep other writers of the same tree out between the reads and its store (a transaction holding
 * the namespace's lock in L3); the result is then exactly what {@link MerkleTree#applyAll} gives in memory.
 */
public final class IncrementalUpdate {

    private IncrementalUpdate() {
    }

    /** The nodes {@code changes} move, read from {@code current}. */
    public static Map<MerklePath, Digest256> apply(NodeSource current, Collection<ItemChange> changes)
            throws TierAccessException {
        return recomputeAncestors(current, changedLeaves(current, changes));
    }

    /**
     * Only the leaves {@code changes} move, with their new digests ({@link Digest256#ZERO}: now empty): one read of
     * the touched leaves. For a store that settles its internal nodes later.
     */
    public static Map<MerklePath, Digest256> changedLeaves(NodeSource current, Collection<ItemChange> changes)
            throws TierAccessException {
        Map<MerklePath, Digest256> deltas = new HashMap<>();
        for (ItemChange change : changes) {
            Digest256 delta = change.delta();
            if (!delta.isZero()) {
                deltas.merge(MerklePath.bucketOf(change.id()), delta, Digest256::plus);
            }
        }
        if (deltas.isEmpty()) {
            return Map.of();
        }
        Map<MerklePath, Digest256> leaves = current.nodes(deltas.keySet());
        Map<MerklePath, Digest256> changed = new LinkedHashMap<>();
        deltas.forEach((leaf, delta) -> {
            Digest256 next = leaves.getOrDefault(leaf, Digest256.ZERO).plus(delta);
            if (!next.equals(leaves.getOrDefault(leaf, Digest256.ZERO))) {
                changed.put(leaf, next);
            }
        });
        return changed;
    }

    /**
     * Recomputes the ancestors of the nodes in {@code changed} (new digests not yet stored) from their children,
     * and returns {@code changed} plus every ancestor whose digest moves.
     */
    public static Map<MerklePath, Digest256> recomputeAncestors(NodeSource current, Map<MerklePath, Digest256> changed)
            throws TierAccessException {
        return recomputeAncestors(current, changed, false);
    }

    /**
     * As {@link #recomputeAncestors(NodeSource, Map)}; with {@code toRoot}, every ancestor up to the root is
     * recomputed even where a level did not move, which repairs a stored tree whose upper levels are stale (a writer
     * that died between updating a leaf and its parents).
     */
    public static Map<MerklePath, Digest256> recomputeAncestors(NodeSource current, Map<MerklePath, Digest256> changed,
                                                                boolean toRoot) throws TierAccessException {
        Map<MerklePath, Digest256> out = new LinkedHashMap<>(changed);
        settleUpwards(changed.keySet(), parents -> {
            List<MerklePath> wanted = new ArrayList<>(parents.size() * (MerklePath.FANOUT + 1));
            for (MerklePath parent : parents) {
                wanted.add(parent);
                wanted.addAll(parent.children());
            }
            Map<MerklePath, Digest256> read = current.nodes(wanted);
            List<MerklePath> next = new ArrayList<>();
            for (MerklePath parent : parents) {
                Digest256[] children = new Digest256[MerklePath.FANOUT];
                for (int d = 0; d < MerklePath.FANOUT; d++) {
                    MerklePath child = parent.child(d);
                    children[d] = out.containsKey(child) ? out.get(child) : read.get(child);
                }
                Digest256 digest = MerkleTree.parentDigest(children);
                boolean moved = !digest.equals(read.getOrDefault(parent, Digest256.ZERO));
                if (moved) {
                    out.put(parent, digest);
                }
                if (moved || toRoot) {
                    next.add(parent);
                }
            }
            return next;
        });
        return out;
    }

    /** One level of a bottom-up recomputation: sets {@code parents}, returns those whose own parents must follow. */
    @FunctionalInterface
    public interface LevelStep {
        Collection<MerklePath> settle(List<MerklePath> parents) throws TierAccessException;
    }

    /**
     * Walks from the parents of {@code changed} up to the root one level at a time, each level given to {@code step}
     * once, with exactly the parents of what moved on the level below (any store keeps its tree this way).
     */
    public static void settleUpwards(Collection<MerklePath> changed, LevelStep step) throws TierAccessException {
        TreeSet<MerklePath> dirty = new TreeSet<>();
        for (MerklePath path : changed) {
            if (!path.isRoot()) {
                dirty.add(path.parent());
            }
        }
        for (int depth = MerklePath.DEPTH - 1; depth >= 0; depth--) {
            List<MerklePath> parents = new ArrayList<>();
            for (MerklePath path : dirty) {
                if (path.depth() == depth) {
                    parents.add(path);
                }
            }
            if (parents.isEmpty()) {
                continue;
            }
            for (MerklePath moved : step.settle(parents)) {
                if (!moved.isRoot()) {
                    dirty.add(moved.parent());
                }
            }
        }
    }
}
