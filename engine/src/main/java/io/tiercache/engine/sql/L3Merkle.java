package io.tiercache.engine.sql;

import io.tiercache.engine.internal.ContentHash;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.IncrementalUpdate;
import io.tiercache.engine.merkle.ItemDigest;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerkleNamespaces;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.MerkleTree;
import io.tiercache.engine.merkle.NodeSource;
import io.tiercache.engine.merkle.SqlMerkleStore;
import io.tiercache.engine.tier.TierAccessException;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * L3's merkle trees kept in step with {@code sync_items}. A batch transaction only notes which leaf buckets its rows
 * fall in, as its last statement: one {@code merkle_notes} row per namespace (a random stamp, the set of buckets), so
 * a rolled-back batch notes nothing and a committed one is never missed. Before anything of a namespace's tree is read
 * it is settled ({@link #settle}): the union of its notes' buckets is recomputed from their rows (through the indexed
 * {@code bucket} column) and their ancestors from their children, and exactly the notes read are removed. A note that
 * does not decode could stand for any bucket, so the namespace's tree is then rebuilt from all its rows. A write the
 * version guard skipped leaves its row, and so the leaf, as it was.
 *
 * <p>Batches take no lock for the trees, and since each inserts rows of its own, concurrent batches do not wait on
 * each other for their notes either (a note row per bucket, upserted, cost ~9,000 statements for 10,000 ids and made
 * batches noting the same bucket queue). A settle takes the namespace's row in {@code merkle_namespaces} (MySQL;
 * SQLite has one writer), reads notes and rows in one snapshot, and removes only the notes it read: a batch that
 * commits meanwhile is settled next time. So that a namespace written often and read seldom does not collect a note
 * per batch, every {@value #COMPACT_EVERY}th batch of a namespace first merges its notes into one ({@link #compact}).
 */
final class L3Merkle {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(L3Merkle.class);
    private static final int IN_CHUNK = 500;
    private static final int REBUILD_PAGE = 5_000;
    /** Batches of a namespace (on this node) between two merges of its notes. */
    static final int COMPACT_EVERY = 64;

    private final SqlMerkleStore store;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> batchesSinceCompaction = new ConcurrentHashMap<>();

    L3Merkle(SqlMerkleStore store) {
        this.store = store;
    }

    SqlMerkleStore store() {
        return store;
    }

    /** One transaction's notes of the buckets it writes. */
    final class Batch {
        private final Map<String, BitSet> buckets = new TreeMap<>();
        /** The leaf of each id, in the order they were given: the rows are written with it. */
        private final int[] leaves;

        private Batch(List<String> ids) {
            leaves = new int[ids.size()];
            for (int i = 0; i < leaves.length; i++) {
                String id = ids.get(i);
                leaves[i] = MerklePath.bucketOf(id).index();
                buckets.computeIfAbsent(MerkleNamespaces.of(id), ns -> new BitSet(MerklePath.LEAF_COUNT))
                        .set(leaves[i]);
            }
        }

        /** The leaf bucket of the {@code index}th id this batch was prepared with. */
        int leaf(int index) {
            return leaves[index];
        }

        /** Last statement before the commit: notes the buckets, to be settled when the tree is next read. */
        void finish(Connection c) throws SQLException {
            store.markDirty(c, buckets, SqlMerkleStore.newStamp());
        }
    }

    /**
     * A batch over {@code ids}; registers their namespaces first, in auto-commit mode (see SqlMerkleStore), and
     * merges a namespace's notes every {@value #COMPACT_EVERY}th batch of it.
     */
    Batch prepare(Connection c, List<String> ids) throws SQLException {
        Batch batch = new Batch(ids);
        List<String> unknown = new ArrayList<>();
        for (String namespace : batch.buckets.keySet()) {
            if (!registered.contains(namespace)) {
                unknown.add(namespace);
            }
        }
        if (!unknown.isEmpty()) {
            store.registerNamespaces(c, unknown);
            registered.addAll(unknown);
        }
        for (String namespace : batch.buckets.keySet()) {
            int batches = batchesSinceCompaction.computeIfAbsent(namespace, ns -> new AtomicInteger())
                    .incrementAndGet();
            if (batches % COMPACT_EVERY == 0) {
                compact(c, namespace);
            }
        }
        return batch;
    }

    /**
     * Replaces the namespace's readable notes by one holding the union of their buckets, in a short transaction of
     * its own on {@code c} (in auto-commit mode). Skipped while a settle or another merge holds the namespace (which
     * removes or merges the same notes), and when it fails: the notes are then merely more numerous, so the batch
     * goes on. Notes that do not decode are left to the settle, which rebuilds the tree for them.
     */
    private void compact(Connection c, String namespace) {
        try {
            SqlMerkleStore.transaction(c, tx -> {
                if (store.tryLockNamespace(tx, namespace)) {
                    SqlMerkleStore.Notes notes = store.dirtyNotes(tx, namespace);
                    if (notes.stamps().size() > 1) {
                        // Removed before the insert, so that a new stamp equal to one of theirs cannot collide.
                        store.clearNotes(tx, namespace, notes.stamps());
                        store.markDirty(tx, Map.of(namespace, notes.buckets()), SqlMerkleStore.newStamp());
                    }
                }
            });
        } catch (SQLException e) {
            LOG.warn("could not merge the merkle notes of '{}' (they are merged later): {}", namespace,
                    e.getMessage());
        }
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
                        addRow(leaves.computeIfAbsent(MerkleNamespaces.of(id), ns -> new HashMap<>()), id,
                                rs.getLong(2), rs.getString(3));
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
        Set<String> namespaces = new TreeSet<>(leaves.keySet());
        namespaces.addAll(store.namespaces(c));
        for (String namespace : namespaces) {
            Map<MerklePath, Digest256> tree = MerkleTree.fromLeaves(leaves.getOrDefault(namespace, Map.of())).nodes();
            store.registerNamespaces(c, List.of(namespace));
            c.setAutoCommit(false);
            try {
                store.lockNamespaces(c, List.of(namespace));
                store.replaceIn(c, namespace, tree);
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
     * their rows, then their ancestors; or, if a note does not decode, the whole tree from all the namespace's rows.
     * Then removes the notes it read. Does nothing when nothing is noted.
     */
    void settle(Connection c, String namespace) throws SQLException, TierAccessException {
        c.setAutoCommit(false);
        store.lockNamespaces(c, List.of(namespace));
        SqlMerkleStore.Notes notes = store.dirtyNotes(c, namespace);
        if (!notes.unreadable().isEmpty()) {
            store.replaceIn(c, namespace, MerkleTree.fromLeaves(leavesOfNamespace(c, namespace)).nodes());
        } else if (!notes.buckets().isEmpty()) {
            List<Integer> buckets = notes.buckets().stream().boxed().toList();
            Map<MerklePath, Digest256> fromRows = leavesFromRows(c, namespace, buckets);
            List<MerklePath> leaves = buckets.stream().map(MerklePath::leafAt).toList();
            Map<MerklePath, Digest256> stored = store.load(c, namespace, leaves);
            Map<MerklePath, Digest256> moved = new HashMap<>();
            for (MerklePath leaf : leaves) {
                Digest256 now = fromRows.getOrDefault(leaf, Digest256.ZERO);
                if (!now.equals(stored.getOrDefault(leaf, Digest256.ZERO))) {
                    moved.put(leaf, now);
                }
            }
            store.storeIn(c, namespace, IncrementalUpdate.recomputeAncestors(store.source(c, namespace), moved));
        }
        store.clearNotes(c, namespace, notes.allStamps());
        c.commit();
    }

    /**
     * Every leaf of {@code namespace} from all its rows, read in pages by id (without trusting their {@code bucket}
     * column): what a settle rebuilds the tree from when a note cannot say which buckets it stands for.
     */
    private static Map<MerklePath, Digest256> leavesOfNamespace(Connection c, String namespace) throws SQLException {
        boolean root = namespace.equals(MerkleNamespaces.ROOT);
        String where = root ? "id NOT LIKE '%/%'" : "id LIKE ?" + LikePatterns.ESCAPE_CLAUSE;
        Map<MerklePath, Digest256> leaves = new HashMap<>();
        String after = "";
        int rows;
        do {
            rows = 0;
            try (PreparedStatement q = c.prepareStatement("SELECT id, version, content_hash FROM sync_items "
                    + "WHERE id > ? AND " + where + " ORDER BY id LIMIT " + REBUILD_PAGE)) {
                q.setString(1, after);
                if (!root) {
                    q.setString(2, LikePatterns.prefixPattern(namespace));
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getString(1);
                        rows++;
                        addRow(leaves, after, rs.getLong(2), rs.getString(3));
                    }
                }
            }
        } while (rows == REBUILD_PAGE);
        return leaves;
    }

    /** Adds what a row contributes to its leaf. */
    private static void addRow(Map<MerklePath, Digest256> leaves, String id, long version, String contentHash) {
        leaves.merge(MerklePath.bucketOf(id), ItemDigest.of(id, state(contentHash, version)), Digest256::plus);
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
                        addRow(leaves, rs.getString(1), rs.getLong(2), rs.getString(3));
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
