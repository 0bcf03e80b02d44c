package io.tiercache.engine.sql;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.NodeSource;
import io.tiercache.engine.tier.TierAccessException;

import java.util.List;
import java.util.Map;

/**
 * What the engine's merkle API and the reconciler need of L3's trees: read nodes, list namespaces, read one leaf
 * bucket's rows (through the indexed {@code bucket} column, so the cost is the bucket's size), and set leaves a
 * repair recomputed from those rows.
 */
public final class L3MerkleView {
    private final SqlTier tier;
    private final L3Merkle merkle;

    L3MerkleView(SqlTier tier, L3Merkle merkle) {
        this.tier = tier;
        this.merkle = merkle;
    }

    /**
     * The namespace's stored tree; a row that does not decode reads as an empty node (so as divergent). Reading
     * anything above the leaves first settles the tree if batches left it unsettled.
     */
    public NodeSource source(String namespace) {
        NodeSource stored = merkle.source(namespace);
        return paths -> {
            for (MerklePath path : paths) {
                if (!path.isLeaf()) {
                    settleTree(namespace);
                    break;
                }
            }
            return stored.nodes(paths);
        };
    }

    /** Recomputes the internal nodes of {@code namespace} from its leaves if writes left them behind. */
    public void settleTree(String namespace) throws TierAccessException {
        if (merkle.store().isUnsettled(namespace)) {
            tier.write("settling the merkle tree of '" + namespace + "'", c -> {
                merkle.settle(c, namespace);
                return null;
            });
        }
    }

    /** Every namespace L3 has held an item of since trees were maintained. */
    public List<String> namespaces() throws TierAccessException {
        return merkle.store().namespaces();
    }

    /** The rows of some leaf buckets, expired ones included (one indexed query per 500 buckets). */
    public List<SyncItem> bucketItems(String namespace, java.util.Collection<MerklePath> leaves)
            throws TierAccessException {
        return tier.bucketItems(namespace, leaves);
    }

    /** What a row contributes to its leaf, as the batch transactions compute it (malformed hashes included). */
    public static io.tiercache.engine.merkle.ItemState stateOf(SyncItem row) {
        return L3Merkle.state(row.contentHash(), row.version());
    }

    /** Recomputes the ancestors of {@code paths} up to the root from their children (stale upper levels). */
    public void settle(String namespace, java.util.Collection<MerklePath> paths) throws TierAccessException {
        replaceLeaves(namespace, source(namespace).nodes(paths), paths);
    }

    private void replaceLeaves(String namespace, Map<MerklePath, Digest256> present,
                               java.util.Collection<MerklePath> paths) throws TierAccessException {
        Map<MerklePath, Digest256> nodes = new java.util.HashMap<>();
        for (MerklePath path : paths) {
            nodes.put(path, present.getOrDefault(path, Digest256.ZERO));
        }
        replaceLeaves(namespace, nodes);
    }

    /** Stores recomputed leaves and every ancestor up to the root, atomically. */
    public void replaceLeaves(String namespace, Map<MerklePath, Digest256> leaves) throws TierAccessException {
        tier.write("repairing merkle leaves of '" + namespace + "'", c -> {
            merkle.replaceLeaves(c, namespace, leaves);
            return null;
        });
    }
}
