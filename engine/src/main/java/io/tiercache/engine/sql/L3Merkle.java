package io.tiercache.engine.sql;

import io.tiercache.engine.internal.ContentHash;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.IncrementalUpdate;
import io.tiercache.engine.merkle.ItemChange;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * L3's merkle trees kept in step with {@code sync_items}: every batch transaction reads the states of its ids before
 * and after its statements and moves the trees by exactly what changed, so a write the version guard skipped moves
 * nothing, and a rolled-back batch leaves trees and rows as they were.
 *
 * <p>On MySQL the transaction first locks the batch's rows in {@code merkle_namespaces}, so batches of several
 * nodes (or of one tier's parallel writers) on one namespace take turns with its tree; SQLite has one writer anyway.
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

    /** One transaction's view of the trees it moves. */
    final class Batch {
        private final List<String> ids;
        private final SortedSet<String> namespaces = new TreeSet<>();
        private Map<String, ItemState> before;

        private Batch(Collection<String> ids) {
            this.ids = new ArrayList<>(new LinkedHashSet<>(ids));
            for (String id : this.ids) {
                namespaces.add(MerkleNamespaces.of(id));
            }
        }

        /** First statements of the transaction: the namespace locks, then the states the batch may replace. */
        void begin(Connection c) throws SQLException {
            store.lockNamespaces(c, namespaces);
            before = states(c, ids);
        }

        /**
         * Last statements before the commit: the leaves move by what the batch really changed, and their namespaces
         * are marked unsettled; the internal nodes follow when they are next read ({@link #settle}).
         */
        void finish(Connection c) throws SQLException, TierAccessException {
            Map<String, ItemState> after = states(c, ids);
            Map<String, List<ItemChange>> byNamespace = new TreeMap<>();
            for (String id : ids) {
                ItemState was = before.get(id);
                ItemState now = after.get(id);
                if (!java.util.Objects.equals(was, now)) {
                    byNamespace.computeIfAbsent(MerkleNamespaces.of(id), ns -> new ArrayList<>())
                            .add(new ItemChange(id, was, now));
                }
            }
            for (Map.Entry<String, List<ItemChange>> e : byNamespace.entrySet()) {
                Map<MerklePath, Digest256> leaves = IncrementalUpdate.changedLeaves(store.source(c, e.getKey()),
                        e.getValue());
                if (!leaves.isEmpty()) {
                    store.storeIn(c, e.getKey(), leaves);
                    store.markUnsettled(c, e.getKey());
                }
            }
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
                                .merge(MerklePath.bucketOf(id), io.tiercache.engine.merkle.ItemDigest.of(id,
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
                store.clearUnsettled(c, namespace);
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

    /** Brings {@code namespace}'s internal nodes up to its leaves, as one transaction on {@code c}. */
    void settle(Connection c, String namespace) throws SQLException, TierAccessException {
        c.setAutoCommit(false);
        store.settle(c, namespace);
        c.commit();
    }

    NodeSource source(String namespace) {
        return store.source(namespace);
    }

    /** The (id → state) of the rows among {@code ids}, read in the caller's transaction. */
    static Map<String, ItemState> states(Connection c, List<String> ids) throws SQLException {
        Map<String, ItemState> out = new HashMap<>();
        for (int from = 0; from < ids.size(); from += IN_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
            String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT id, version, content_hash FROM sync_items WHERE id IN (" + marks + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    q.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), state(rs.getString(3), rs.getLong(2)));
                    }
                }
            }
        }
        return out;
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
