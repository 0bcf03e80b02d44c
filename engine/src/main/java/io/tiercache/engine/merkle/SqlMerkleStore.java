package io.tiercache.engine.merkle;

import io.tiercache.engine.Tier;
import io.tiercache.engine.sql.SqlDialect;
import io.tiercache.engine.tier.TierAccessException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * L3's merkle trees in {@code merkle_nodes(namespace, path, digest, PRIMARY KEY(namespace, path))}, on SQLite or
 * MySQL/MariaDB. The digest is the 32 raw bytes, the path its hex digits ({@code ""} for the root).
 *
 * <p>A {@link #store} is one transaction of batched upserts and deletes, so a tree is never seen half-updated by a
 * reader of the same database. Reads of many paths are chunked into {@code IN} lists that hit the primary key, so a
 * top-down comparison costs index lookups proportional to the nodes it asks for. A row that does not decode (bad path,
 * digest not 32 bytes) is never returned: {@link #loadAll} reports it as a {@link TierAccessException} naming it;
 * {@link #load} leaves it out (an empty node, so divergent), so that it cannot stop the writes and repairs that
 * overwrite it.
 *
 * <p>Next to the trees, {@code merkle_notes(namespace, stamp, buckets)} holds what L3's batch transactions noted: one
 * row per transaction and namespace, with the set of leaf buckets the transaction wrote ({@code BucketSetCodec}),
 * until a settle recomputes those leaves from the rows ({@code sql.L3Merkle}).
 *
 * <pre>{@code
 * SqlMerkleStore store = new SqlMerkleStore(dataSource, SqlMerkleStore.Dialect.SQLITE);
 * store.createSchema();
 * store.store("users", tree.apply("users/42", null, new ItemState(hash, 1L)));
 * }</pre>
 */
public final class SqlMerkleStore implements MerkleStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqlMerkleStore.class);
    private static final int IN_CHUNK = 500;

    /** The SQL backends whose DDL and upsert syntax this store speaks. */
    public enum Dialect {
        SQLITE("CREATE TABLE IF NOT EXISTS merkle_nodes (namespace TEXT NOT NULL, path TEXT NOT NULL, "
                + "digest BLOB NOT NULL, PRIMARY KEY (namespace, path)) WITHOUT ROWID",
                "INSERT INTO merkle_nodes (namespace, path, digest) VALUES (?, ?, ?) "
                        + "ON CONFLICT(namespace, path) DO UPDATE SET digest = excluded.digest",
                "CREATE TABLE IF NOT EXISTS merkle_namespaces (namespace TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID",
                "INSERT OR IGNORE INTO merkle_namespaces (namespace) VALUES (?)", "", true,
                // A rowid table: WITHOUT ROWID suits rows far smaller than a page, and a bitmap note is 8 KiB.
                "CREATE TABLE IF NOT EXISTS merkle_notes (namespace TEXT NOT NULL, stamp INTEGER NOT NULL, "
                        + "buckets BLOB NOT NULL, PRIMARY KEY (namespace, stamp))",
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'merkle_dirty'"),
        /** MySQL 8 and MariaDB 10.11; byte-wise keys like the {@code sync_items} table's ids. */
        MYSQL("CREATE TABLE IF NOT EXISTS merkle_nodes (namespace VARBINARY(512) NOT NULL, "
                + "path VARBINARY(4) NOT NULL, digest BINARY(32) NOT NULL, PRIMARY KEY (namespace, path)) "
                + "ENGINE=InnoDB",
                "INSERT INTO merkle_nodes (namespace, path, digest) VALUES (?, ?, ?) "
                        + "ON DUPLICATE KEY UPDATE digest = VALUES(digest)",
                "CREATE TABLE IF NOT EXISTS merkle_namespaces (namespace VARBINARY(512) NOT NULL PRIMARY KEY) "
                        + "ENGINE=InnoDB",
                "INSERT IGNORE INTO merkle_namespaces (namespace) VALUES (?)", " FOR UPDATE", false,
                "CREATE TABLE IF NOT EXISTS merkle_notes (namespace VARBINARY(512) NOT NULL, stamp BIGINT NOT NULL, "
                        + "buckets MEDIUMBLOB NOT NULL, PRIMARY KEY (namespace, stamp)) ENGINE=InnoDB",
                "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() "
                        + "AND table_name = 'merkle_dirty'");

        private final String ddl;
        private final String upsert;
        private final String namespacesDdl;
        private final String registerNamespace;
        private final String forUpdate;
        private final boolean singleWriter;
        private final String notesDdl;
        private final String legacyDirtyTableExists;

        Dialect(String ddl, String upsert, String namespacesDdl, String registerNamespace, String forUpdate,
                boolean singleWriter, String notesDdl, String legacyDirtyTableExists) {
            this.ddl = ddl;
            this.upsert = upsert;
            this.namespacesDdl = namespacesDdl;
            this.registerNamespace = registerNamespace;
            this.forUpdate = forUpdate;
            this.singleWriter = singleWriter;
            this.notesDdl = notesDdl;
            this.legacyDirtyTableExists = legacyDirtyTableExists;
        }

        /** The query that returns a row if the table of notes of builds before {@code merkle_notes} exists. */
        String legacyDirtyTableExists() {
            return legacyDirtyTableExists;
        }

        /** The dialect matching an L3 {@link SqlDialect} (by its name: {@code sqlite} or {@code mysql}). */
        public static Dialect of(SqlDialect sqlDialect) {
            if (sqlDialect == null) {
                throw new IllegalArgumentException("SQL dialect must not be null");
            }
            return switch (sqlDialect.name()) {
                case "sqlite" -> SQLITE;
                case "mysql" -> MYSQL;
                default -> throw new IllegalArgumentException("no merkle store for SQL dialect '"
                        + sqlDialect.name() + "' (known: sqlite, mysql)");
            };
        }
    }

    private final DataSource dataSource;
    private final Dialect dialect;
    // SQLite takes one writer at a time; queuing here beats spinning on SQLITE_BUSY (as SqlTier does).
    private final ReentrantLock writeLock = new ReentrantLock();

    public SqlMerkleStore(DataSource dataSource, Dialect dialect) {
        if (dataSource == null || dialect == null) {
            throw new IllegalArgumentException("a data source and a dialect are required");
        }
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /**
     * Creates the tables if missing and moves the notes of an earlier build's {@code merkle_dirty} table into
     * {@code merkle_notes} (see {@code LegacyDirtyNotes}); safe on every start and from several nodes at once.
     */
    public void createSchema() throws TierAccessException {
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute(dialect.ddl);
                s.execute(dialect.namespacesDdl);
                s.execute(dialect.notesDdl);
            }
            LegacyDirtyNotes.migrate(c, this, dialect);
        } catch (SQLException e) {
            throw failure("creating the merkle tables", e);
        }
    }

    @Override
    public Map<MerklePath, Digest256> load(String namespace, Collection<MerklePath> paths)
            throws TierAccessException {
        try (Connection c = dataSource.getConnection()) {
            return load(c, namespace, paths);
        } catch (SQLException e) {
            throw failure("reading merkle nodes of '" + namespace + "'", e);
        }
    }

    /** {@link #load(String, Collection)} on the caller's connection (inside its transaction). */
    public Map<MerklePath, Digest256> load(Connection c, String namespace, Collection<MerklePath> paths)
            throws TierAccessException {
        MerkleStore.requireValidNamespace(namespace);
        if (paths == null) {
            throw new IllegalArgumentException("paths must not be null");
        }
        List<MerklePath> all = new ArrayList<>(paths);
        Map<MerklePath, Digest256> found = new HashMap<>();
        try {
            for (int from = 0; from < all.size(); from += IN_CHUNK) {
                List<MerklePath> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
                String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement q = c.prepareStatement("SELECT path, digest FROM merkle_nodes "
                        + "WHERE namespace = ? AND path IN (" + marks + ")")) {
                    q.setString(1, namespace);
                    for (int i = 0; i < chunk.size(); i++) {
                        if (chunk.get(i) == null) {
                            throw new IllegalArgumentException("a path to load is null");
                        }
                        q.setString(i + 2, chunk.get(i).hex());
                    }
                    readRows(namespace, q, found, true);
                }
            }
        } catch (SQLException e) {
            throw failure("reading " + all.size() + " merkle nodes of '" + namespace + "'", e);
        }
        return found;
    }

    /** The namespace's tree read on the caller's connection, for {@link IncrementalUpdate}. */
    public NodeSource source(Connection c, String namespace) {
        return paths -> load(c, namespace, paths);
    }

    @Override
    public SortedMap<MerklePath, Digest256> loadAll(String namespace) throws TierAccessException {
        MerkleStore.requireValidNamespace(namespace);
        SortedMap<MerklePath, Digest256> found = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT path, digest FROM merkle_nodes WHERE namespace = ?")) {
            q.setString(1, namespace);
            readRows(namespace, q, found, false);
        } catch (SQLException e) {
            throw failure("reading the merkle tree of '" + namespace + "'", e);
        }
        return found;
    }

    /**
     * With {@code lenient}, a row that does not decode is left out (logged): it then reads as an empty node, which
     * a comparison reports as divergent and a repair or the next write of that node overwrites. Writers and
     * comparisons read leniently so that a corrupt row can never stop writes or a sync.
     */
    private static void readRows(String namespace, PreparedStatement q, Map<MerklePath, Digest256> into,
                                 boolean lenient) throws SQLException, TierAccessException {
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String path = rs.getString(1);
                try {
                    into.put(MerklePath.of(path), Digest256.fromBytes(rs.getBytes(2)));
                } catch (IllegalArgumentException e) {
                    if (lenient) {
                        LOG.warn("ignoring corrupt merkle_nodes row (namespace '{}', path '{}'): {}", namespace, path,
                                e.getMessage());
                        continue;
                    }
                    throw new TierAccessException(Tier.L3, "merkle_nodes row (namespace '" + namespace + "', path '"
                            + path + "') is corrupt: " + e.getMessage(), e);
                }
            }
        }
    }

    @Override
    public void store(String namespace, Map<MerklePath, Digest256> nodes) throws TierAccessException {
        MerkleStore.requireValidNamespace(namespace);
        if (nodes == null) {
            throw new IllegalArgumentException("nodes must not be null");
        }
        nodes.forEach((path, digest) -> {
            if (path == null || digest == null) {
                throw new IllegalArgumentException("node " + path + " has a null path or digest");
            }
        });
        if (nodes.isEmpty()) {
            return;
        }
        if (dialect.singleWriter) {
            writeLock.lock();
        }
        try (Connection c = dataSource.getConnection()) {
            transaction(c, tx -> storeIn(tx, namespace, nodes));
        } catch (SQLException e) {
            throw failure("writing " + nodes.size() + " merkle nodes of '" + namespace + "'", e);
        } finally {
            if (dialect.singleWriter) {
                writeLock.unlock();
            }
        }
    }

    /**
     * Writes nodes on the caller's connection without committing: the caller's transaction (the batch of item writes
     * these nodes describe) commits or rolls back both together.
     */
    public void storeIn(Connection c, String namespace, Map<MerklePath, Digest256> nodes) throws SQLException {
        MerkleStore.requireValidNamespace(namespace);
        if (nodes.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = c.prepareStatement(dialect.upsert);
             PreparedStatement delete = c.prepareStatement(
                     "DELETE FROM merkle_nodes WHERE namespace = ? AND path = ?")) {
            int upserts = 0;
            int deletes = 0;
            for (Map.Entry<MerklePath, Digest256> node : nodes.entrySet()) {
                if (node.getValue().isZero()) {
                    delete.setString(1, namespace);
                    delete.setString(2, node.getKey().hex());
                    delete.addBatch();
                    deletes++;
                } else {
                    upsert.setString(1, namespace);
                    upsert.setString(2, node.getKey().hex());
                    upsert.setBytes(3, node.getValue().toBytes());
                    upsert.addBatch();
                    upserts++;
                }
            }
            if (upserts > 0) {
                upsert.executeBatch();
            }
            if (deletes > 0) {
                delete.executeBatch();
            }
        }
    }

    /**
     * Makes sure every namespace has its row in {@code merkle_namespaces} (the list {@link #namespaces} reads, and
     * the row {@link #lockNamespaces} locks). Run in auto-commit mode, before the transaction that locks: an
     * {@code INSERT IGNORE} of an existing row takes a shared lock, and two transactions each holding one and asking
     * for the exclusive lock would deadlock.
     */
    public void registerNamespaces(Connection c, Collection<String> namespaces) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(dialect.registerNamespace)) {
            for (String namespace : namespaces) {
                insert.setString(1, namespace);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Inside a transaction, takes the namespaces' rows exclusively (MySQL; SQLite's write transaction already
     * excludes every other writer), so two nodes' batches on one namespace update its tree one after the other. One
     * statement locks them in primary-key order, the same order in every transaction, so no two wait on each other.
     * Must be the transaction's first statement: InnoDB fixes a transaction's snapshot at its first plain read.
     */
    public void lockNamespaces(Connection c, Collection<String> namespaces) throws SQLException {
        if (dialect.singleWriter || namespaces.isEmpty()) {
            return;
        }
        String marks = String.join(", ", Collections.nCopies(namespaces.size(), "?"));
        try (PreparedStatement q = c.prepareStatement("SELECT namespace FROM merkle_namespaces WHERE namespace IN ("
                + marks + ") ORDER BY namespace" + dialect.forUpdate)) {
            int i = 1;
            for (String namespace : namespaces) {
                q.setString(i++, namespace);
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
        }
    }

    /**
     * As {@link #lockNamespaces} for one namespace, but without waiting (MySQL's {@code SKIP LOCKED}): false if
     * another transaction holds its row, or it has none. Always true on SQLite, where a writer is alone anyway.
     */
    public boolean tryLockNamespace(Connection c, String namespace) throws SQLException {
        if (dialect.singleWriter) {
            return true;
        }
        try (PreparedStatement q = c.prepareStatement("SELECT namespace FROM merkle_namespaces WHERE namespace = ?"
                + dialect.forUpdate + " SKIP LOCKED")) {
            q.setString(1, namespace);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** A stamp for a new note: random and non-negative, so notes of one namespace are told apart by it. */
    public static long newStamp() {
        return ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    }

    /**
     * Notes, in the caller's transaction, the leaf buckets (by namespace) whose rows it writes: one
     * {@code merkle_notes} row per namespace, keyed by {@code stamp}, holding the set of buckets
     * ({@code BucketSetCodec}). The tree of such a namespace is settled from its rows before it is next read. Every
     * transaction inserts rows of its own, so concurrent ones do not wait on each other here.
     */
    public void markDirty(Connection c, Map<String, BitSet> buckets, long stamp) throws SQLException {
        if (buckets.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO merkle_notes (namespace, stamp, buckets) VALUES (?, ?, ?)")) {
            for (Map.Entry<String, BitSet> e : buckets.entrySet()) {
                insert.setString(1, e.getKey());
                insert.setLong(2, stamp);
                insert.setBytes(3, BucketSetCodec.encode(e.getValue()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Whether {@code namespace} has notes, so its stored tree may lag its rows (a hint: no transaction). */
    public boolean isUnsettled(String namespace) throws TierAccessException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT 1 FROM merkle_notes WHERE namespace = ? LIMIT 1")) {
            q.setString(1, namespace);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw failure("reading whether the merkle tree of '" + namespace + "' is settled", e);
        }
    }

    /**
     * The notes of one namespace as a transaction read them: the union of their buckets, the stamps of the notes that
     * decoded, and the stamps of those that did not (which may stand for any bucket, so every leaf is suspect).
     */
    public record Notes(BitSet buckets, List<Long> stamps, List<Long> unreadable) {
        /** Every note read, readable or not. */
        public List<Long> allStamps() {
            List<Long> all = new ArrayList<>(stamps);
            all.addAll(unreadable);
            return all;
        }
    }

    /**
     * The notes of {@code namespace}, read in the caller's transaction. One that does not decode is logged and
     * reported in {@link Notes#unreadable}, never thrown: it must neither stop a settle nor be taken for no bucket.
     */
    public Notes dirtyNotes(Connection c, String namespace) throws SQLException {
        BitSet union = new BitSet(MerklePath.LEAF_COUNT);
        List<Long> stamps = new ArrayList<>();
        List<Long> unreadable = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT stamp, buckets FROM merkle_notes WHERE namespace = ?")) {
            q.setString(1, namespace);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    long stamp = rs.getLong(1);
                    try {
                        union.or(BucketSetCodec.decode(rs.getBytes(2)));
                        stamps.add(stamp);
                    } catch (IllegalArgumentException e) {
                        LOG.warn("corrupt merkle_notes row (namespace '{}', stamp {}): {}; every leaf of the "
                                + "namespace is recomputed from its rows", namespace, stamp, e.getMessage());
                        unreadable.add(stamp);
                    }
                }
            }
        }
        return new Notes(union, stamps, unreadable);
    }

    /**
     * Removes exactly the notes with these stamps: a note a transaction added after the caller read the notes (and
     * so the rows) is left for the next settle.
     */
    public void clearNotes(Connection c, String namespace, Collection<Long> stamps) throws SQLException {
        if (stamps.isEmpty()) {
            return;
        }
        try (PreparedStatement d = c.prepareStatement(
                "DELETE FROM merkle_notes WHERE namespace = ? AND stamp = ?")) {
            // In key order, so two transactions removing the same notes queue instead of deadlocking.
            for (long stamp : new TreeSet<>(stamps)) {
                d.setString(1, namespace);
                d.setLong(2, stamp);
                d.addBatch();
            }
            d.executeBatch();
        }
    }

    /** Removes every note of {@code namespace} (its tree was just rebuilt whole from its rows). */
    public void clearAllDirty(Connection c, String namespace) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM merkle_notes WHERE namespace = ?")) {
            d.setString(1, namespace);
            d.executeUpdate();
        }
    }

    /** Replaces the whole stored tree of {@code namespace} by {@code nodes}, in the caller's transaction. */
    public void replaceIn(Connection c, String namespace, Map<MerklePath, Digest256> nodes) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM merkle_nodes WHERE namespace = ?")) {
            d.setString(1, namespace);
            d.executeUpdate();
        }
        storeIn(c, namespace, nodes);
    }

    /** Every namespace that ever held an item written with merkle maintenance on, in byte order. */
    public List<String> namespaces() throws TierAccessException {
        try (Connection c = dataSource.getConnection()) {
            return namespaces(c);
        } catch (SQLException e) {
            throw failure("listing merkle namespaces", e);
        }
    }

    /** {@link #namespaces()} on the caller's connection. */
    public List<String> namespaces(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT namespace FROM merkle_namespaces ORDER BY namespace");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Override
    public void deleteNamespace(String namespace) throws TierAccessException {
        MerkleStore.requireValidNamespace(namespace);
        try (Connection c = dataSource.getConnection();
             PreparedStatement d = c.prepareStatement("DELETE FROM merkle_nodes WHERE namespace = ?")) {
            d.setString(1, namespace);
            d.executeUpdate();
            clearAllDirty(c, namespace);
        } catch (SQLException e) {
            throw failure("deleting the merkle tree of '" + namespace + "'", e);
        }
    }

    /** Work on a connection that {@link #transaction} commits or rolls back. */
    @FunctionalInterface
    public interface TransactionWork {
        void run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} on {@code c}, which is in auto-commit mode, as one transaction: committed, or rolled back on
     * any failure (a failing rollback is added to the failure), and auto-commit restored either way.
     */
    public static void transaction(Connection c, TransactionWork work) throws SQLException {
        c.setAutoCommit(false);
        try {
            work.run(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c, e);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    private static TierAccessException failure(String what, SQLException e) {
        return new TierAccessException(Tier.L3, "failed " + what + ": " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return "SqlMerkleStore{" + dialect + "}";
    }
}
