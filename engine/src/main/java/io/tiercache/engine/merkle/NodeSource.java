package io.tiercache.engine.merkle;

import io.tiercache.engine.tier.TierAccessException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Read access to one namespace's merkle nodes, wherever they live: an in-memory {@link MerkleTree}, L3's
 * {@code merkle_nodes} table (through {@link MerkleStore#source}) or L2's hash. {@link Divergence} compares two of
 * them without caring which.
 *
 * <p>One call takes many paths so that a remote source answers a whole level of a top-down walk in one round trip.
 *
 * <pre>{@code
 * NodeSource l3 = sqlMerkleStore.source("users");
 * NodeSource l2 = paths -> redisMerkleHash.hmget("users", paths);   // any backend: one batched read
 * SortedSet<MerklePath> buckets = Divergence.drillDown(l3, l2);
 * }</pre>
 */
@FunctionalInterface
public interface NodeSource {

    /**
     * The digests of the non-empty nodes among {@code paths}; a path absent from the answer is an empty node
     * ({@link Digest256#ZERO}).
     */
    Map<MerklePath, Digest256> nodes(Collection<MerklePath> paths) throws TierAccessException;

    /** The non-empty children of every node in {@code parents} (which must not be leaves), in one call. */
    default Map<MerklePath, Digest256> childrenOf(Collection<MerklePath> parents) throws TierAccessException {
        List<MerklePath> children = new ArrayList<>(parents.size() * MerklePath.FANOUT);
        for (MerklePath parent : parents) {
            children.addAll(parent.children());
        }
        return nodes(children);
    }
}
