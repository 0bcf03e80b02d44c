package io.tiercache.engine.merkle;

import io.tiercache.engine.internal.ContentHash;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One namespace's merkle tree in memory: 16-ary, depth 4, over the hex digits of SHA-256(id).
 *
 * <p><b>Digests.</b> A leaf is the sum modulo 2<sup>256</sup> of its items' {@link ItemDigest}s, so a write moves it
 * by {@code digest(new) - digest(old)} without reading the bucket. An internal node is
 * {@code SHA-256(d0 ‖ d1 ‖ … ‖ d15)} over its 16 children's 32-byte digests in digit order, an empty child counting
 * as 32 zero bytes; a node whose 16 children are all empty is itself empty. Empty is {@link Digest256#ZERO}, so the
 * root of an empty tree is 32 zero bytes. (A non-empty leaf whose items sum to exactly zero would look empty; at
 * 2<sup>-256</sup> per leaf that is not a case worth a flag.)
 *
 * <p><b>Storage.</b> Only non-empty nodes are held, so a namespace of n items holds at most about 5n nodes and never
 * more than the 69,905 of a full tree. Every mutation returns the nodes it changed with their new digests,
 * {@link Digest256#ZERO} meaning "now empty, delete it", so a caller persists exactly those (see
 * {@link MerkleStore#store}).
 *
 * <p><b>Contract.</b> The tree trusts its caller about {@code before}: it must be the state the tier held, or the
 * tree drifts from the data (which the next anti-entropy pass then reports as divergence). Methods are synchronized;
 * each is atomic.
 *
 * <pre>{@code
 * MerkleTree tree = new MerkleTree();
 * Map<MerklePath, Digest256> changed = tree.apply("users/42", null, new ItemState(hash, 1L));
 * store.store("users", changed);                        // 5 rows: the leaf, 3 internal nodes, the root
 * tree.apply("users/42", new ItemState(hash, 1L), null); // back to empty: root() is ZERO again
 * }</pre>
 */
public final class MerkleTree implements NodeSource {
    private static final int PARENT_INPUT_BYTES = MerklePath.FANOUT * Digest256.BYTES;

    // levels.get(d) maps the index of each non-empty node at depth d (its digits as a number) to its digest.
    private final List<Map<Integer, Digest256>> levels = new ArrayList<>(MerklePath.DEPTH + 1);

    /** An empty tree. */
    public MerkleTree() {
        for (int d = 0; d <= MerklePath.DEPTH; d++) {
            levels.add(new HashMap<>());
        }
    }

    /** A tree built from scratch over {@code items} (id to state), without the incremental path. */
    public static MerkleTree build(Map<String, ItemState> items) {
        Map<MerklePath, Digest256> leaves = new HashMap<>();
        items.forEach((id, state) -> leaves.merge(MerklePath.bucketOf(id), ItemDigest.of(id, state),
                Digest256::plus));
        return fromLeaves(leaves);
    }

    /** A tree with these leaf digests (zero ones are ignored); internal nodes are computed. */
    public static MerkleTree fromLeaves(Map<MerklePath, Digest256> leaves) {
        MerkleTree tree = new MerkleTree();
        TreeSet<Integer> dirty = new TreeSet<>();
        leaves.forEach((path, digest) -> {
            if (path == null || !path.isLeaf()) {
                throw new IllegalArgumentException("not a leaf path: " + path);
            }
            if (digest == null) {
                throw new IllegalArgumentException("leaf " + path + " has a null digest");
            }
            if (!digest.isZero()) {
                tree.levels.get(MerklePath.DEPTH).put(path.index(), digest);
                dirty.add(path.index());
            }
        });
        tree.recomputeAbove(dirty, new LinkedHashMap<>());
        return tree;
    }

    /**
     * A tree from the nodes a store held: leaves are taken as they are, internal nodes recomputed, and a stored
     * internal node that disagrees with its recomputed value (a torn or corrupted write) is refused.
     */
    public static MerkleTree fromNodes(Map<MerklePath, Digest256> stored) {
        Map<MerklePath, Digest256> leaves = new HashMap<>();
        stored.forEach((path, digest) -> {
            if (path == null) {
                throw new IllegalArgumentException("a stored node has a null path");
            }
            if (path.isLeaf()) {
                leaves.put(path, digest);
            }
        });
        MerkleTree tree = fromLeaves(leaves);
        for (int d = 0; d < MerklePath.DEPTH; d++) {
            for (int i = 0; i < (1 << (4 * d)); i++) {
                MerklePath path = MerklePath.at(d, i);
                Digest256 expected = tree.hash(path);
                Digest256 actual = stored.getOrDefault(path, Digest256.ZERO);
                if (!expected.equals(actual)) {
                    throw new IllegalArgumentException("stored node " + path + " is " + actual
                            + " but its children give " + expected);
                }
            }
        }
        return tree;
    }

    /**
     * Applies one item change; returns the nodes whose digest changed (leaf first, root last) with their new
     * digests, {@link Digest256#ZERO} for nodes that became empty.
     *
     * @param before the state the tier held, or null if the id was absent
     * @param after  the state the tier holds now, or null if the id was deleted
     */
    public synchronized Map<MerklePath, Digest256> apply(String id, ItemState before, ItemState after) {
        return applyAll(List.of(new ItemChange(id, before, after)));
    }

    /**
     * Applies a batch (e.g. one write-behind flush); each touched parent is recomputed once. Returns the changed
     * nodes as {@link #apply} does, deepest first.
     */
    public synchronized Map<MerklePath, Digest256> applyAll(Collection<ItemChange> changes) {
        if (changes == null) {
            throw new IllegalArgumentException("changes must not be null");
        }
        Map<Integer, Digest256> deltas = new HashMap<>();
        for (ItemChange change : changes) {
            if (change == null) {
                throw new IllegalArgumentException("a change in the batch is null");
            }
            Digest256 delta = change.delta();
            if (!delta.isZero()) {
                deltas.merge(MerklePath.bucketOf(change.id()).index(), delta, Digest256::plus);
            }
        }
        Map<MerklePath, Digest256> changed = new LinkedHashMap<>();
        TreeSet<Integer> dirty = new TreeSet<>();
        Map<Integer, Digest256> leaves = levels.get(MerklePath.DEPTH);
        deltas.forEach((index, delta) -> {
            Digest256 next = leaves.getOrDefault(index, Digest256.ZERO).plus(delta);
            if (put(leaves, index, next)) {
                changed.put(MerklePath.leafAt(index), next);
                dirty.add(index);
            }
        });
        recomputeAbove(dirty, changed);
        return Collections.unmodifiableMap(changed);
    }

    // Walks up from the dirty leaves one level at a time; a parent is recorded only if its digest really changed.
    private void recomputeAbove(TreeSet<Integer> dirtyLeaves, Map<MerklePath, Digest256> changed) {
        TreeSet<Integer> dirty = dirtyLeaves;
        for (int depth = MerklePath.DEPTH - 1; depth >= 0 && !dirty.isEmpty(); depth--) {
            Map<Integer, Digest256> below = levels.get(depth + 1);
            Map<Integer, Digest256> level = levels.get(depth);
            TreeSet<Integer> parents = new TreeSet<>();
            for (int child : dirty) {
                parents.add(child >>> 4);
            }
            TreeSet<Integer> next = new TreeSet<>();
            for (int parent : parents) {
                Digest256 digest = parentDigest(below, parent);
                if (put(level, parent, digest)) {
                    changed.put(MerklePath.at(depth, parent), digest);
                    next.add(parent);
                }
            }
            dirty = next;
        }
    }

    private static boolean put(Map<Integer, Digest256> level, int index, Digest256 digest) {
        Digest256 previous = digest.isZero() ? level.remove(index) : level.put(index, digest);
        return !digest.equals(previous == null ? Digest256.ZERO : previous);
    }

    private static Digest256 parentDigest(Map<Integer, Digest256> below, int parent) {
        Digest256[] children = new Digest256[MerklePath.FANOUT];
        for (int d = 0; d < MerklePath.FANOUT; d++) {
            children[d] = below.getOrDefault((parent << 4) | d, Digest256.ZERO);
        }
        return parentDigest(children);
    }

    /**
     * The digest of an internal node from its 16 children in digit order (nulls and {@link Digest256#ZERO} are
     * empty): {@code ZERO} if all are empty, else SHA-256 over the 512 bytes of their digests.
     */
    public static Digest256 parentDigest(Digest256[] children) {
        if (children == null || children.length != MerklePath.FANOUT) {
            throw new IllegalArgumentException("an internal node has exactly " + MerklePath.FANOUT + " children");
        }
        byte[] input = new byte[PARENT_INPUT_BYTES];
        boolean empty = true;
        for (int d = 0; d < MerklePath.FANOUT; d++) {
            if (children[d] != null && !children[d].isZero()) {
                children[d].writeTo(input, d * Digest256.BYTES);
                empty = false;
            }
        }
        return empty ? Digest256.ZERO : Digest256.fromBytes(ContentHash.sha256(input));
    }

    /** The root digest; {@link Digest256#ZERO} for an empty tree. */
    public synchronized Digest256 root() {
        return hash(MerklePath.ROOT);
    }

    /** The digest at {@code path}, {@link Digest256#ZERO} if the node is empty. */
    public synchronized Digest256 hash(MerklePath path) {
        requirePath(path);
        return levels.get(path.depth()).getOrDefault(path.index(), Digest256.ZERO);
    }

    /** The digest at {@code path} if the node is non-empty (the rows a store holds). */
    public synchronized Optional<Digest256> node(MerklePath path) {
        requirePath(path);
        return Optional.ofNullable(levels.get(path.depth()).get(path.index()));
    }

    /** The non-empty children of an internal node, in digit order. */
    public synchronized SortedMap<MerklePath, Digest256> children(MerklePath path) {
        requirePath(path);
        if (path.isLeaf()) {
            throw new IllegalArgumentException("leaf " + path + " has no children");
        }
        SortedMap<MerklePath, Digest256> out = new TreeMap<>();
        Map<Integer, Digest256> below = levels.get(path.depth() + 1);
        for (int d = 0; d < MerklePath.FANOUT; d++) {
            Digest256 digest = below.get((path.index() << 4) | d);
            if (digest != null) {
                out.put(path.child(d), digest);
            }
        }
        return out;
    }

    @Override
    public synchronized Map<MerklePath, Digest256> nodes(Collection<MerklePath> paths) {
        if (paths == null) {
            throw new IllegalArgumentException("paths must not be null");
        }
        Map<MerklePath, Digest256> out = new HashMap<>();
        for (MerklePath path : paths) {
            requirePath(path);
            Digest256 digest = levels.get(path.depth()).get(path.index());
            if (digest != null) {
                out.put(path, digest);
            }
        }
        return out;
    }

    @Override
    public synchronized Map<MerklePath, Digest256> childrenOf(Collection<MerklePath> parents) {
        if (parents == null) {
            throw new IllegalArgumentException("parents must not be null");
        }
        Map<MerklePath, Digest256> out = new HashMap<>();
        for (MerklePath parent : parents) {
            out.putAll(children(parent));
        }
        return out;
    }

    /** Every non-empty node, root first (e.g. to store a rebuilt tree in full). */
    public synchronized SortedMap<MerklePath, Digest256> nodes() {
        SortedMap<MerklePath, Digest256> out = new TreeMap<>();
        for (int d = 0; d <= MerklePath.DEPTH; d++) {
            int depth = d;
            levels.get(d).forEach((index, digest) -> out.put(MerklePath.at(depth, index), digest));
        }
        return out;
    }

    /** Number of non-empty nodes (the rows a store holds for this namespace). */
    public synchronized int nodeCount() {
        int count = 0;
        for (Map<Integer, Digest256> level : levels) {
            count += level.size();
        }
        return count;
    }

    private static void requirePath(MerklePath path) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null (the root is MerklePath.ROOT)");
        }
    }

    @Override
    public synchronized String toString() {
        return "MerkleTree{root=" + root() + ", nodes=" + nodeCount() + "}";
    }
}
