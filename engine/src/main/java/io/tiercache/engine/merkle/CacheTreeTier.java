package io.tiercache.engine.merkle;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A cache tier (L2) that keeps merkle trees next to its items, as reconciliation with the ground truth needs it:
 * read its nodes, list a bucket's items through an index (so repairing a bucket costs its size, not the
 * namespace's), and make a bucket hold exactly the ground truth's items.
 *
 * <pre>{@code
 * CacheTreeTier l2 = redisTier;
 * SortedSet<MerklePath> buckets = Divergence.drillDown(l3.source("users/"), l2.source("users/"));
 * for (MerklePath leaf : buckets) {
 *     Map<String, SyncItem> cached = l2.bucketItems("users/", List.of(leaf));
 *     // ... compare with L3's rows of the bucket, then:
 *     l2.repairBuckets("users/", Map.of(leaf, l3LeafDigest), corruptIds, upsertsAndDeletes);
 * }
 * }</pre>
 */
public interface CacheTreeTier {

    /** The namespace's tree as stored; a node that does not decode reads as empty (so as divergent). */
    NodeSource source(String namespace);

    /** Namespaces the tier holds items of, the root namespace ({@link MerkleNamespaces#ROOT}) always included. */
    List<String> namespaces() throws TierAccessException;

    /** The items the buckets' index lists (ids whose item is gone are left out), in a few round trips. */
    Map<String, SyncItem> bucketItems(String namespace, Collection<MerklePath> leaves) throws TierAccessException;

    /**
     * Makes buckets hold the ground truth: drops {@code evict} whatever their version (copies that are corrupt, or
     * wrong at a version not below the ground truth's), applies {@code writes} version-guarded as any write, sets
     * each leaf to its digest in {@code leaves} and recomputes their ancestors up to the root.
     */
    void repairBuckets(String namespace, Map<MerklePath, Digest256> leaves, Collection<String> evict,
                       List<TierWrite> writes) throws TierAccessException;

    /**
     * Recomputes the ancestors of {@code paths} up to the root from their children (a writer that died between a
     * leaf and its parents leaves them stale).
     */
    void settle(String namespace, Collection<MerklePath> paths) throws TierAccessException;

    /**
     * Every item of the namespace found by walking the keyspace rather than the tree and its indexes: what a deep
     * check compares when changes may have bypassed the tier's scripts. Costs a full scan.
     */
    Map<String, SyncItem> scanItems(String namespace) throws TierAccessException;
}
