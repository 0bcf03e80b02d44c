package io.tiercache.engine.sql;

import io.tiercache.engine.internal.ContentHash;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.IncrementalUpdate;
import io.tiercache.engine.merkle.ItemDigest;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerkleNamespaces;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.NodeSource;
import io.tiercache.engine.merkle.SqlMerkleStore;
import io.tiercache.engine.tier.TierAccessException;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * L3's merkle trees kept in step with {@code sync_items}. A batch transaction only notes which leaf buckets its rows
 * fall in ({@code merkle_dirty}: namespace, bucket, a stamp of the transaction), next to the rows it writes, so a
 * rolled-back batch notes nothing and a committed one is never missed. Before anything of a namespace's tree is read
 * it is settled ({@link #settle}): the noted buckets' leaves are recomputed from their rows (through the indexed
 * {@code bucket} column) and their ancestors from their children, and the notes whose stamp is unchanged removed.
 * A write the version guard skipped leaves its row, and so the leaf, as it was.
 *
 * <p>Batches take no lock for the trees: the notes are an upsert per bucket, written in bucket order so that two
 * transactions noting the same buckets wait for each other instead of deadlocking. A settle takes the namespace's row
 * in {@code merkle_namespaces} (MySQL; SQLite has one writer), reads notes and rows in one snapshot, and removes only
 * notes no batch has stamped again since: a batch that commits meanwhile is settled next time.
 */
final class L3Merkle {
    private static final int IN_CHUNK = 500;
    private static final int REBUILD_PAGE = 5_000;

    private final SqlMerkleStore store;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    L3Merkle(SqlMerkleStore store) {
        this.store = store;
    }

    SqlMerkleStore store() {
        return store;
    }

    /** One transaction's notes of the buckets it writes. */
    final class Batch {
        private final SortedSet<String> namespaces = new TreeSet<>();
        private final Map<String, SortedSet<Integer>> buckets = new TreeMap<>();

        private Batch(Collection<String> ids) {
            for (String id : ids) {
                String namespace = MerkleNamespaces.of(id);
                namespaces.add(namespace);
                buckets.computeIfAbsent(namespace, ns -> new TreeSet<>()).add(MerklePath.bucketOf(id).index());
            }
        }

        /** Last statements before the commit: notes the buckets, to be settled when the tree is next read. */
        void finish(Connection c) throws SQLException {
            store.markDirty(c, buckets, ThreadLocalRandom.current().nextLong());
        }
    }

    /** A batch over {@code ids}; registers their namespaces first, in auto-commit mode (see SqlMerkleStore). */
    Batch prepare(Connection c, Collection<String> ids) throws SQLException {
        Batch batch = new Batch(ids);
        List<String> unknown = new ArrayList<>();
        for (String namespace : batch.namespaces) {
            if (!registered.contains(namespace)) {
                unknown.add(namespace);
            }
        }
        if (!unknown.isEmpty()) {
            store.registerNamespaces(c, unknown);
            registered.addAll(unknown);
        }
        return batch;
    }

    /**
     * Sets leaves (a repair that recomputed them from the rows) and every ancestor up to the root, in one transaction
     * holding the namespace's lock.
     */
    void replaceLeaves(Connection c, String namespace, Map<MerklePath, Digest256> leaves)
            throws SQLException, TierAccessException {
        if (!registered.contains(namespace)) {
            store.registerNamespaces(c, List.of(namespace));
            registered.add(namespace);
        }
        c.setAutoCommit(false);
        store.lockNamespaces(c, List.of(namespace));
        store.storeIn(c, namespace, IncrementalUpdate.recomputeAncestors(store.source(c, namespace), leaves, true));
        c.commit();
    }

    /**
     * Whether rows exist that were written without their leaf (before trees were maintained, or while
     * {@code merkleCalcEnabled} was off): the trees then do not describe them.
     */
    static boolean hasRowsWithoutBucket(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM sync_items WHERE bucket IS NULL LIMIT 1");
             ResultSet rs = q.executeQuery()) {
            return rs.next();
        }
    }

    /**
     * Rebuilds every tree from the rows, filling in missing buckets: a full scan, run at start when
     * {@link #hasRowsWithoutBucket} says the trees cannot be trusted. Pages of rows, then one transaction per
     * namespace replacing its nodes.
     */
    void rebuild(Connection c) throws SQLException, TierAccessException {
        Map<String, Map<MerklePath, Digest256>> leaves = new TreeMap<>();
        String after = "";
        while (true) {
            List<String> missing = new ArrayList<>();
            int rows = 0;
            try (PreparedStatement q = c.prepareStatement("SELECT id, version, content_hash, bucket FROM sync_items "
                    + "WHERE id > ? ORDER BY id LIMIT " + REBUILD_PAGE)) {
                q.setString(1, after);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        after = id;
                        rows++;
                        leaves.computeIfAbsent(MerkleNamespaces.of(id), ns -> new HashMap<>())
                                .merge(MerklePath.bucketOf(id), ItemDigest.of(id,
                                        state(rs.getString(3), rs.getLong(2))), Digest256::plus);
                        rs.getInt(4);
                        if (rs.wasNull()) {
                            missing.add(id);
                        }
                    }
                }
            }
            setBuckets(c, missing);
            if (rows < REBUILD_PAGE) {
                break;
            }
        }
        Set<String> namespaces = new java.util.TreeSet<>(leaves.keySet());
        namespaces.addAll(store.namespaces(c));
        for (String namespace : namespaces) {
            Map<MerklePath, Digest256> tree = io.tiercache.engine.merkle.MerkleTree
                    .fromLeaves(leaves.getOrDefault(namespace, Map.of())).nodes();
            store.registerNamespaces(c, List.of(namespace));
            c.setAutoCommit(false);
            try (PreparedStatement d = c.prepareStatement("DELETE FROM merkle_nodes WHERE namespace = ?")) {
                store.lockNamespaces(c, List.of(namespace));
                d.setString(1, namespace);
                d.executeUpdate();
                store.storeIn(c, namespace, tree);
                store.clearAllDirty(c, namespace);
                c.commit();
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static void setBuckets(Connection c, List<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement u = c.prepareStatement("UPDATE sync_items SET bucket = ? WHERE id = ?")) {
            for (String id : ids) {
                u.setInt(1, MerklePath.bucketOf(id).index());
                u.setString(2, id);
                u.addBatch();
            }
            u.executeBatch();
        }
    }

    /**
     * Brings {@code namespace}'s tree up to its rows, as one transaction on {@code c}: the noted buckets' leaves from
     * their rows, then their ancestors. Does nothing when nothing is noted.
     */
    void settle(Connection c, String namespace) throws SQLException, TierAccessException {
        c.setAutoCommit(false);
        store.lockNamespaces(c, List.of(namespace));
        Map<Integer, Long> noted = store.dirtyBuckets(c, namespace);
        if (!noted.isEmpty()) {
            Map<MerklePath, Digest256> fromRows = leavesFromRows(c, namespace, noted.keySet());
            List<MerklePath> leaves = noted.keySet().stream().map(MerklePath::leafAt).toList();
            Map<MerklePath, Digest256> stored = store.load(c, namespace, leaves);
            Map<MerklePath, Digest256> moved = new HashMap<>();
            for (MerklePath leaf : leaves) {
                Digest256 now = fromRows.getOrDefault(leaf, Digest256.ZERO);
                if (!now.equals(stored.getOrDefault(leaf, Digest256.ZERO))) {
                    moved.put(leaf, now);
                }
            }
            store.storeIn(c, namespace, IncrementalUpdate.recomputeAncestors(store.source(c, namespace), moved));
            store.clearDirty(c, namespace, noted);
        }
        c.commit();
    }

    /** The leaves of {@code buckets} as their rows give them (one indexed query per 500 buckets). */
    private static Map<MerklePath, Digest256> leavesFromRows(Connection c, String namespace,
                                                            Collection<Integer> buckets) throws SQLException {
        List<Integer> all = new ArrayList<>(buckets);
        Map<MerklePath, Digest256> leaves = new HashMap<>();
        for (int from = 0; from < all.size(); from += IN_CHUNK) {
            List<Integer> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
            String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
            String where = namespace.equals(MerkleNamespaces.ROOT) ? "id NOT LIKE '%/%'"
                    : "id LIKE ?" + LikePatterns.ESCAPE_CLAUSE;
            try (PreparedStatement q = c.prepareStatement("SELECT id, version, content_hash FROM sync_items "
                    + "WHERE bucket IN (" + marks + ") AND " + where)) {
                int i = 1;
                for (Integer bucket : chunk) {
                    q.setInt(i++, bucket);
                }
                if (!namespace.equals(MerkleNamespaces.ROOT)) {
                    q.setString(i, LikePatterns.prefixPattern(namespace));
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        leaves.merge(MerklePath.bucketOf(id), ItemDigest.of(id, state(rs.getString(3),
                                rs.getLong(2))), Digest256::plus);
                    }
                }
            }
        }
        return leaves;
    }

    NodeSource source(String namespace) {
        return store.source(namespace);
    }

    /**
     * A row's state; a malformed hash (a row written behind the engine's back) still gets a fixed digest of its own,
     * so the row moves the tree in and out consistently and simply never matches a good copy elsewhere.
     */
    static ItemState state(String contentHash, long version) {
        if (ContentHash.isWellFormed(contentHash)) {
            return new ItemState(contentHash, version);
        }
        String raw = contentHash == null ? "<null>" : contentHash;
        return new ItemState(ContentHash.sha256Hex(("unreadable:" + raw).getBytes(StandardCharsets.UTF_8)), version);
    }
}
