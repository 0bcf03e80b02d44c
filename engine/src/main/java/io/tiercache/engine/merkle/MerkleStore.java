package io.tiercache.engine.merkle;

import io.tiercache.engine.ItemIds;
import io.tiercache.engine.tier.TierAccessException;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Where a tier keeps its merkle trees: nodes addressed by namespace and {@link MerklePath}, only non-empty ones
 * stored. Writing {@link Digest256#ZERO} to a node deletes it, so the map a {@link MerkleTree} mutation returns can
 * be stored as it is.
 *
 * <pre>{@code
 * Map<MerklePath, Digest256> changed = tree.applyAll(batch);
 * store.store("users", changed);                          // upserts and deletes in one transaction
 * Digest256 l3Root = store.root("users");
 * SortedSet<MerklePath> buckets = Divergence.drillDown(store.source("users"), l2.source("users"));
 * }</pre>
 */
public interface MerkleStore {
    /** Longest namespace in UTF-8 bytes: keeps (namespace, path) inside every backend's key-length limit. */
    int MAX_NAMESPACE_BYTES = 512;

    /** The non-empty nodes among {@code paths}; absent paths are empty. */
    Map<MerklePath, Digest256> load(String namespace, Collection<MerklePath> paths) throws TierAccessException;

    /** Every stored node of the namespace, root first. */
    SortedMap<MerklePath, Digest256> loadAll(String namespace) throws TierAccessException;

    /** Writes nodes atomically: a non-zero digest is upserted, {@link Digest256#ZERO} deletes the node. */
    void store(String namespace, Map<MerklePath, Digest256> nodes) throws TierAccessException;

    /** Removes every node of the namespace (its tree becomes empty). */
    void deleteNamespace(String namespace) throws TierAccessException;

    /** The namespace's root digest, {@link Digest256#ZERO} when it holds nothing. */
    default Digest256 root(String namespace) throws TierAccessException {
        return load(namespace, List.of(MerklePath.ROOT)).getOrDefault(MerklePath.ROOT, Digest256.ZERO);
    }

    /** The namespace's tree as a {@link NodeSource}, for {@link Divergence#drillDown}. */
    default NodeSource source(String namespace) {
        requireValidNamespace(namespace);
        return paths -> load(namespace, paths);
    }

    /** Returns {@code namespace} if valid: the rules of an item id, at most {@value #MAX_NAMESPACE_BYTES} bytes. */
    static String requireValidNamespace(String namespace) {
        if (namespace == null) {
            throw new IllegalArgumentException("namespace must not be null");
        }
        try {
            ItemIds.requireValid(namespace);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid namespace: " + e.getMessage(), e);
        }
        int bytes = namespace.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAMESPACE_BYTES) {
            throw new IllegalArgumentException("namespace is " + bytes + " UTF-8 bytes, over the limit of "
                    + MAX_NAMESPACE_BYTES);
        }
        return namespace;
    }
}
