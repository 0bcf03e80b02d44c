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
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
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
                "CREATE TABLE IF NOT EXISTS merkle_dirty (namespace TEXT NOT NULL, bucket INTEGER NOT NULL, "
                        + "stamp INTEGER NOT NULL, PRIMARY KEY (namespace, bucket)) WITHOUT ROWID",
                "INSERT INTO merkle_dirty (namespace, bucket, stamp) VALUES (?, ?, ?) "
                        + "ON CONFLICT(namespace, bucket) DO UPDATE SET stamp = excluded.stamp"),
        /** MySQL 8 and MariaDB 10.11; byte-wise keys like the {@code sync_items} table's ids. */
        MYSQL("CREATE TABLE IF NOT EXISTS merkle_nodes (namespace VARBINARY(512) NOT NULL, "
                + "path VARBINARY(4) NOT NULL, digest BINARY(32) NOT NULL, PRIMARY KEY (namespace, path)) "
                + "ENGINE=InnoDB",
                "INSERT INTO merkle_nodes (namespace, path, digest) VALUES (?, ?, ?) "
                        + "ON DUPLICATE KEY UPDATE digest = VALUES(digest)",
                "CREATE TABLE IF NOT EXISTS merkle_namespaces (namespace VARBINARY(512) NOT NULL PRIMARY KEY) "
                        + "ENGINE=InnoDB",
                "INSERT IGNORE INTO merkle_namespaces (namespace) VALUES (?)", " FOR UPDATE", false,
                "CREATE TABLE IF NOT EXISTS merkle_dirty (namespace VARBINARY(512) NOT NULL, bucket INT NOT NULL, "
                        + "stamp BIGINT NOT NULL, PRIMARY KEY (namespace, bucket)) ENGINE=InnoDB",
                "INSERT INTO merkle_dirty (namespace, bucket, stamp) VALUES (?, ?, ?) "
                        + "ON DUPLICATE KEY UPDATE stamp = VALUES(stamp)");

        private final String ddl;
        private final String upsert;
        private final String namespacesDdl;
        private final String registerNamespace;
        private final String forUpdate;
        private final boolean singleWriter;
        private final String dirtyDdl;
        private final String markDirty;

        Dialect(String ddl, String upsert, String namespacesDdl, String registerNamespace, String forUpdate,
                boolean singleWriter, String dirtyDdl, String markDirty) {
            this.ddl = ddl;
            this.upsert = upsert;
            this.namespacesDdl = namespacesDdl;
            this.registerNamespace = registerNamespace;
            this.forUpdate = forUpdate;
            this.singleWriter = singleWriter;
            this.dirtyDdl = dirtyDdl;
            this.markDirty = markDirty;
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

    /** Creates {@code merkle_nodes} if missing; safe on every start and from several nodes. */
    public void createSchema() throws TierAccessException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(dialect.ddl);
            s.execute(dialect.namespacesDdl);
            s.execute(dialect.dirtyDdl);
        } catch (SQLException e) {
            throw failure("creating the merkle_nodes table", e);
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
            c.setAutoCommit(false);
            try {
                storeIn(c, namespace, nodes);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
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
     * Notes, in the caller's transaction, the leaf buckets (by namespace) whose rows it writes, stamped
     * {@code stamp}: the tree of such a namespace is settled from its rows before it is next read. In namespace and
     * bucket order, so transactions noting the same buckets queue instead of deadlocking.
     */
    public void markDirty(Connection c, Map<String, ? extends Collection<Integer>> buckets, long stamp)
            throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement(dialect.markDirty)) {
            for (Map.Entry<String, ? extends Collection<Integer>> e : buckets.entrySet()) {
                for (Integer bucket : e.getValue()) {
                    upsert.setString(1, e.getKey());
                    upsert.setInt(2, bucket);
                    upsert.setLong(3, stamp);
                    upsert.addBatch();
                }
            }
            upsert.executeBatch();
        }
    }

    /** Whether {@code namespace} has noted buckets, so its stored tree may lag its rows (a hint: no transaction). */
    public boolean isUnsettled(String namespace) throws TierAccessException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT 1 FROM merkle_dirty WHERE namespace = ? LIMIT 1")) {
            q.setString(1, namespace);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw failure("reading whether the merkle tree of '" + namespace + "' is settled", e);
        }
    }

    /** The noted buckets of {@code namespace} with their stamps, read in the caller's transaction. */
    public Map<Integer, Long> dirtyBuckets(Connection c, String namespace) throws SQLException {
        Map<Integer, Long> out = new TreeMap<>();
        try (PreparedStatement q = c.prepareStatement("SELECT bucket, stamp FROM merkle_dirty WHERE namespace = ?")) {
            q.setString(1, namespace);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Removes the notes settled from {@code settled}, each only if no transaction has stamped it again since. */
    public void clearDirty(Connection c, String namespace, Map<Integer, Long> settled) throws SQLException {
        try (PreparedStatement d = c.prepareStatement(
                "DELETE FROM merkle_dirty WHERE namespace = ? AND bucket = ? AND stamp = ?")) {
            for (Map.Entry<Integer, Long> e : settled.entrySet()) {
                d.setString(1, namespace);
                d.setInt(2, e.getKey());
                d.setLong(3, e.getValue());
                d.addBatch();
            }
            d.executeBatch();
        }
    }

    /** Removes every note of {@code namespace} (its tree was just rebuilt whole from its rows). */
    public void clearAllDirty(Connection c, String namespace) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM merkle_dirty WHERE namespace = ?")) {
            d.setString(1, namespace);
            d.executeUpdate();
        }
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
