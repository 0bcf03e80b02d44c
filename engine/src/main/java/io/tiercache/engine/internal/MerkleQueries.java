package io.tiercache.engine.internal;

import io.tiercache.engine.Tier;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.Divergence;
import io.tiercache.engine.merkle.MerkleNamespaces;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.NodeSource;
import io.tiercache.engine.sql.L3MerkleView;
import io.tiercache.engine.tier.TierAccessException;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * The engine's read-only merkle API: nodes of the authoritative tree (L3's, or L2's without L3), comparisons with
 * nodes another party sends, and both tiers' roots side by side.
 */
public final class MerkleQueries {
    private final L3MerkleView l3;
    private final Reconciler.CacheTrees l2;

    /** Either may be null (no such tier), not both. */
    public MerkleQueries(L3MerkleView l3, Reconciler.CacheTrees l2) {
        this.l3 = l3;
        this.l2 = l2;
    }

    private NodeSource authoritative(String namespace) throws TierAccessException {
        String ns = MerkleNamespaces.normalize(namespace);
        return l3 != null ? l3.source(ns) : l2.get().source(ns);
    }

    public Digest256 hash(String namespace, MerklePath path) throws TierAccessException {
        return node(namespace, path).orElse(Digest256.ZERO);
    }

    public Optional<Digest256> node(String namespace, MerklePath path) throws TierAccessException {
        requirePath(path);
        return Optional.ofNullable(authoritative(namespace).nodes(List.of(path)).get(path));
    }

    public SortedMap<MerklePath, Digest256> children(String namespace, MerklePath path) throws TierAccessException {
        requirePath(path);
        if (path.isLeaf()) {
            throw new IllegalArgumentException("leaf " + path + " has no children");
        }
        return new TreeMap<>(authoritative(namespace).childrenOf(List.of(path)));
    }

    /** The paths among {@code remote}'s whose local digest differs (a local empty node is ZERO). */
    public SortedSet<MerklePath> findDivergent(String namespace, Map<MerklePath, Digest256> remote)
            throws TierAccessException {
        if (remote == null) {
            throw new IllegalArgumentException("remote nodes must not be null");
        }
        remote.keySet().forEach(MerkleQueries::requirePath);
        Map<MerklePath, Digest256> local = authoritative(namespace).nodes(remote.keySet());
        return Divergence.findDivergentPaths(local, remote);
    }

    /** The children of {@code path} that differ from {@code remoteChildren} (all of path's non-empty children). */
    public SortedSet<MerklePath> drillDown(String namespace, MerklePath path, Map<MerklePath, Digest256> remoteChildren)
            throws TierAccessException {
        if (remoteChildren == null) {
            throw new IllegalArgumentException("remote children must not be null (none is an empty map)");
        }
        remoteChildren.keySet().forEach(child -> {
            if (child == null || child.isRoot() || !child.parent().equals(path)) {
                throw new IllegalArgumentException(child + " is not a child of " + path);
            }
        });
        return Divergence.findDivergentPaths(children(namespace, path), remoteChildren);
    }

    /** The roots of the tiers that keep trees. */
    public Map<Tier, Digest256> roots(String namespace) throws TierAccessException {
        String ns = MerkleNamespaces.normalize(namespace);
        Map<Tier, Digest256> roots = new EnumMap<>(Tier.class);
        if (l2 != null) {
            roots.put(Tier.L2, root(l2.get().source(ns)));
        }
        if (l3 != null) {
            roots.put(Tier.L3, root(l3.source(ns)));
        }
        return roots;
    }

    private static Digest256 root(NodeSource source) throws TierAccessException {
        return source.nodes(List.of(MerklePath.ROOT)).getOrDefault(MerklePath.ROOT, Digest256.ZERO);
    }

    private static void requirePath(MerklePath path) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null (the root is MerklePath.ROOT)");
        }
    }
}
