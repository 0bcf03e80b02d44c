package io.tiercache.engine.sql;

import io.tiercache.engine.ContentType;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.internal.JsonDetector;
import io.tiercache.engine.merkle.MerkleNamespaces;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.SqlMerkleStore;
import io.tiercache.engine.tier.CoordinatingTier;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;

/**
 * L3: the SQL ground truth. One row per item in {@code sync_items}; JSON payloads in a text column (queryable with the
 * database's JSON functions), everything else in a blob column. Writes are version-guarded and a batch is one
 * transaction.
 */
public final class SqlTier implements ItemTier, CoordinatingTier {
    private static final Logger LOG = LoggerFactory.getLogger(SqlTier.class);
    static final List<String> COLUMNS = List.of("id", "version", "content_hash", "content_type", "state",
            "payload_json", "payload_blob", "expires_at", "updated_at");
    /** What a write stores: the columns read back, plus the item's merkle leaf (null while merkle trees are off). */
    static final List<String> WRITE_COLUMNS = List.of("id", "version", "content_hash", "content_type", "state",
            "payload_json", "payload_blob", "expires_at", "updated_at", "bucket");
    private static final String SELECT = "SELECT " + String.join(", ", COLUMNS) + " FROM sync_items ";
    private static final String NOT_EXPIRED = "(expires_at IS NULL OR expires_at > ?)";
    private static final int IN_CHUNK = 500;
    /** Smallest share of a batch worth its own transaction. */
    private static final int MIN_PART = 250;
    /** A row written while merkle trees are off has no leaf. */
    private static final int NO_BUCKET = -1;
    private static final int IN_PLACE_SAMPLE = 32;

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final String description;
    private final AutoCloseable onClose;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ExecutorService writers;
    private final int writeConcurrency;
    private final int readTimeoutMs;
    private volatile L3Merkle merkle;
    private final String inPlaceUpdate;
    private volatile boolean inPlaceFirst = true;

    public SqlTier(DataSource dataSource, SqlDialect dialect, String description, AutoCloseable onClose) {
        this(dataSource, dialect, description, onClose, 1, 0);
    }

    /**
     * @param writeConcurrency transactions a large batch is split into and written in parallel (a server backend
     *                         only; one SQLite file always has one writer)
     * @param readTimeoutMs    with a value above 0, a read waits at most that long for the server's answer; the
     *                         connections' own (longer) socket timeout is left to writes, whose batches may
     *                         legitimately take longer. A server that hangs would otherwise hold every reader for
     *                         the full socket timeout.
     */
    public SqlTier(DataSource dataSource, SqlDialect dialect, String description, AutoCloseable onClose,
                   int writeConcurrency, long readTimeoutMs) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.description = description;
        this.onClose = onClose;
        this.writeConcurrency = dialect.singleWriter() ? 1 : Math.max(1, writeConcurrency);
        this.writers = this.writeConcurrency == 1 ? null : Executors.newFixedThreadPool(this.writeConcurrency - 1,
                runnable -> {
                    Thread thread = new Thread(runnable, "tiercache-l3-writer");
                    thread.setDaemon(true);
                    return thread;
                });
        this.readTimeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(0, readTimeoutMs));
        this.inPlaceUpdate = dialect.inPlaceUpdateStatement();
    }

    /** Creates the schema if missing; safe to run on every start and from several nodes. */
    public void createSchema() throws TierAccessException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String ddl : dialect.schemaStatements()) {
                s.execute(ddl);
            }
            if (!hasBucketColumn(c)) {
                for (String ddl : dialect.bucketColumnMigration()) {
                    s.execute(ddl);
                }
            }
        } catch (SQLException e) {
            throw failure("creating the schema", e);
        }
    }

    private static boolean hasBucketColumn(Connection c) {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT bucket FROM sync_items WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Maintains merkle trees in {@code merkle_nodes} with every batch from now on (see {@link L3Merkle}); call once,
     * after {@link #createSchema()} and before the first write.
     */
    public void enableMerkle() throws TierAccessException {
        SqlMerkleStore store = new SqlMerkleStore(dataSource, SqlMerkleStore.Dialect.of(dialect));
        store.createSchema();
        L3Merkle trees = new L3Merkle(store);
        write("rebuilding merkle trees", c -> {
            if (L3Merkle.hasRowsWithoutBucket(c)) {
                LOG.info("{} holds rows written without merkle maintenance; rebuilding every tree from the rows",
                        description);
                trees.rebuild(c);
            }
            return null;
        });
        merkle = trees;
    }

    /** The merkle view of this tier, or null when trees are not maintained. */
    public L3MerkleView merkle() {
        L3Merkle current = merkle;
        return current == null ? null : new L3MerkleView(this, current);
    }

    @Override
    public Tier level() {
        return Tier.L3;
    }

    @Override
    public String describe() {
        return description;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    @Override
    public Optional<SyncItem> get(String id) throws TierAccessException {
        List<SyncItem> rows = query(SELECT + "WHERE id = ?", List.of(id), "reading '" + id + "'");
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    @Override
    public Map<String, SyncItem> getMany(Collection<String> ids) throws TierAccessException {
        Map<String, SyncItem> found = new HashMap<>();
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += IN_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            for (SyncItem item : query(SELECT + "WHERE id IN (" + marks + ")", new ArrayList<>(chunk),
                    "reading " + chunk.size() + " ids")) {
                found.put(item.id(), item);
            }
        }
        return found;
    }

    /**
     * Writes the batch, split into up to {@code writeConcurrency} transactions over contiguous id ranges when it is
     * large (ranges that do not interleave keep InnoDB's gap locks of parallel upserts apart). Every part is
     * idempotent, so when one part fails the whole batch can be replayed from the WAL.
     */
    @Override
    public void apply(List<? extends TierWrite> writes) throws TierAccessException {
        int parts = Math.min(writeConcurrency, writes.size() / MIN_PART);
        if (parts <= 1) {
            applyInOneTransaction(writes);
            return;
        }
        List<TierWrite> sorted = new ArrayList<>(writes);
        sorted.sort(java.util.Comparator.comparing(TierWrite::id));
        int size = (sorted.size() + parts - 1) / parts;
        List<Future<?>> running = new ArrayList<>(parts - 1);
        TierAccessException failure = null;
        for (int from = size; from < sorted.size(); from += size) {
            List<TierWrite> part = sorted.subList(from, Math.min(sorted.size(), from + size));
            running.add(writers.submit(() -> {
                applyInOneTransaction(part);
                return null;
            }));
        }
        try {
            applyInOneTransaction(sorted.subList(0, Math.min(size, sorted.size())));
        } catch (TierAccessException e) {
            failure = e;
        }
        for (Future<?> part : running) {
            try {
                part.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof TierAccessException tae ? tae
                            : new TierAccessException(Tier.L3, description + " failed a parallel write: "
                            + e.getCause(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TierAccessException(Tier.L3, "interrupted while writing a batch", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void applyInOneTransaction(List<? extends TierWrite> writes) throws TierAccessException {
        if (writes.isEmpty()) {
            return;
        }
        inTransaction(writes.stream().map(TierWrite::id).toList(), "writing a batch of " + writes.size(),
                (c, tree) -> {
                    writeRowsOnly(c, writes, tree);
                    return null;
                });
    }

    /**
     * One transaction's work; {@code tree} is the batch's merkle notes, whose leaves the rows carry (null while
     * merkle trees are off).
     */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c, L3Merkle.Batch tree) throws SQLException, TierAccessException;
    }

    /** Thrown by a {@link Work} to roll its transaction back without an error: a compare-and-set that lost. */
    private static final class Abandon extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandon() {
            super(null, null, false, false);
        }
    }

    /**
     * Runs {@code work} as one transaction that also moves the merkle trees of {@code ids} by what it changed
     * (prepared in auto-commit mode, begun first, finished last): under SQLite's single-writer lock, rolled back on
     * any failure, with auto-commit restored before the connection goes back to the pool.
     */
    private <T> T inTransaction(List<String> ids, String what, Work<T> work) throws TierAccessException {
        L3Merkle trees = merkle;
        return write(what, c -> {
            L3Merkle.Batch tree = trees == null ? null : trees.prepare(c, ids);
            c.setAutoCommit(false);
            T result = work.run(c, tree);
            if (tree != null) {
                tree.finish(c);
            }
            c.commit();
            return result;
        });
    }

    /**
     * The rows of a batch, written on {@code c} inside its caller's transaction; {@code tree} (null while trees are
     * off) was prepared with the writes' ids in this order and knows each one's leaf.
     */
    private void writeRowsOnly(Connection c, List<? extends TierWrite> writes, L3Merkle.Batch tree)
            throws SQLException {
        List<SyncItem> upserts = new ArrayList<>(writes.size());
        int[] buckets = new int[writes.size()]; // of the upserts, by their index in upserts
        List<TierWrite> deletes = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i) instanceof TierWrite.Upsert u) {
                buckets[upserts.size()] = tree == null ? NO_BUCKET : tree.leaf(i);
                upserts.add(u.item());
            } else {
                deletes.add(writes.get(i));
            }
        }
        if (!upserts.isEmpty()) {
            int[] rest = inPlaceUpdate == null ? IntStream.range(0, upserts.size()).toArray()
                    : updateInPlace(c, upserts, buckets);
            if (rest.length > 0) {
                try (PreparedStatement upsert = c.prepareStatement(dialect.upsertStatement())) {
                    for (int i : rest) {
                        bindRow(upsert, upserts.get(i), buckets[i]);
                        upsert.addBatch();
                    }
                    upsert.executeBatch();
                }
            }
        }
        if (!deletes.isEmpty()) {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM sync_items WHERE id = ? AND version < ?")) {
                for (TierWrite write : deletes) {
                    delete.setString(1, write.id());
                    delete.setLong(2, write.version());
                    delete.addBatch();
                }
                delete.executeBatch();
            }
        }
    }

    /**
     * Updates in place the rows of {@code items} ({@code buckets} their merkle leaves) that hold an older version
     * in the same state, expiry and leaf; returns the indexes of the others, which need the upsert (new rows,
     * changed state or expiry, rows already newer, where the upsert changes nothing). A failed try costs a lookup,
     * so after a batch where most missed (a stream of new ids) the next one tries only its first
     * {@value #IN_PLACE_SAMPLE} rows, and the rest only if most of those were overwrites.
     */
    private int[] updateInPlace(Connection c, List<SyncItem> items, int[] buckets) throws SQLException {
        int[] counts = new int[items.size()];
        try (PreparedStatement update = c.prepareStatement(inPlaceUpdate)) {
            int tried = inPlaceFirst ? items.size() : Math.min(IN_PLACE_SAMPLE, items.size());
            int hits = updateInPlace(update, items, buckets, 0, tried, counts);
            if (tried < items.size() && hits * 2 >= tried) {
                hits += updateInPlace(update, items, buckets, tried, items.size(), counts);
                tried = items.size();
            }
            inPlaceFirst = hits * 2 >= tried;
        }
        return IntStream.range(0, counts.length).filter(i -> counts[i] != 1).toArray();
    }

    /** Tries rows {@code from} until {@code to} in place, their outcomes into {@code counts}; returns the hits. */
    private static int updateInPlace(PreparedStatement update, List<SyncItem> items, int[] buckets, int from, int to,
                                     int[] counts) throws SQLException {
        for (int i = from; i < to; i++) {
            bindInPlace(update, items.get(i), buckets[i]);
            update.addBatch();
        }
        int[] done = update.executeBatch();
        int hits = 0;
        for (int i = 0; i < done.length; i++) {
            counts[from + i] = done[i];
            hits += done[i] == 1 ? 1 : 0;
        }
        return hits;
    }

    private static void bindInPlace(PreparedStatement update, SyncItem item, int bucket) throws SQLException {
        update.setLong(1, item.version());
        update.setString(2, item.contentHash());
        update.setString(3, item.contentType().name());
        bindContent(update, 4, item);
        update.setLong(6, item.updatedAt());
        update.setString(7, item.id());
        update.setLong(8, item.version());
        update.setString(9, item.state());
        bindExpiry(update, 10, item);
        bindBucket(update, 11, bucket);
    }

    /** Whether the next batch tries its upserts in place first (tests). */
    boolean triesInPlaceNext() {
        return inPlaceFirst;
    }

    @Override
    public Snapshot readForUpdate(String id) throws TierAccessException {
        Optional<SyncItem> stored = get(id);
        return new Snapshot(stored.map(item -> Token.item(item.version())).orElse(Token.NOTHING), stored);
    }

    /**
     * Reads the row's version under a row lock ({@code FOR UPDATE} on a server; SQLite's single writer) and writes
     * in the same transaction only if it is still the expected one. A deadlock or lock timeout between two nodes
     * racing for the same row means one of them lost: it answers false and retries from a fresh read.
     */
    @Override
    public boolean compareAndApply(Token expected, TierWrite write) throws TierAccessException {
        if (expected.kind() == Token.Kind.DELETED) {
            throw new IllegalArgumentException("SQL keeps no tombstones: a token " + expected + " did not come from "
                    + description);
        }
        try {
            return inTransaction(List.of(write.id()), "compare-and-set of '" + write.id() + "'", (c, tree) -> {
                if (!currentToken(c, write.id()).equals(expected)) {
                    throw new Abandon();
                }
                writeRowsOnly(c, List.of(write), tree);
                return true;
            });
        } catch (Abandon lost) {
            return false;
        } catch (TierAccessException e) {
            if (e.getCause() instanceof SQLException sql && lostRace(sql)) {
                return false;
            }
            throw e;
        }
    }

    private Token currentToken(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM sync_items WHERE id = ?"
                + dialect.rowLockSuffix())) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Token.item(rs.getLong(1)) : Token.NOTHING;
            }
        }
    }

    /** Deadlock, lock wait timeout or serialization failure: another transaction on the same row won. */
    private static boolean lostRace(SQLException e) {
        String state = e.getSQLState();
        return (state != null && state.startsWith("40")) || e.getErrorCode() == 1205 || e.getErrorCode() == 1213;
    }

    @Override
    public List<SyncItem> scanPrefix(String prefix, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        return query(SELECT + "WHERE id LIKE ?" + LikePatterns.ESCAPE_CLAUSE + afterClause(afterId) + " AND "
                + NOT_EXPIRED + " ORDER BY id LIMIT ?", params(LikePatterns.prefixPattern(prefix), afterId,
                nowMillis, limit), "scanning prefix '" + prefix + "'");
    }

    @Override
    public long countPrefix(String prefix, long nowMillis) throws TierAccessException {
        return count("SELECT COUNT(*) FROM sync_items WHERE id LIKE ?" + LikePatterns.ESCAPE_CLAUSE + " AND "
                + NOT_EXPIRED, List.of(LikePatterns.prefixPattern(prefix), nowMillis), "counting prefix");
    }

    @Override
    public List<String> idsByPrefix(String prefix, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        return queryIds("SELECT id FROM sync_items WHERE id LIKE ?" + LikePatterns.ESCAPE_CLAUSE + afterClause(afterId)
                        + " AND " + NOT_EXPIRED + " ORDER BY id LIMIT ?",
                params(LikePatterns.prefixPattern(prefix), afterId, nowMillis, limit), "listing prefix ids");
    }

    @Override
    public List<SyncItem> scanState(String state, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        return query(SELECT + "WHERE state = ?" + afterClause(afterId) + " AND " + NOT_EXPIRED
                + " ORDER BY id LIMIT ?", params(state, afterId, nowMillis, limit), "scanning state '" + state + "'");
    }

    @Override
    public long countByState(String state, long nowMillis) throws TierAccessException {
        return count("SELECT COUNT(*) FROM sync_items WHERE state = ? AND " + NOT_EXPIRED,
                List.of(state, nowMillis), "counting state");
    }

    @Override
    public List<String> idsByState(String state, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        return queryIds("SELECT id FROM sync_items WHERE state = ?" + afterClause(afterId) + " AND " + NOT_EXPIRED
                + " ORDER BY id LIMIT ?", params(state, afterId, nowMillis, limit), "listing state ids");
    }

    @Override
    public long purgeExpired(long nowMillis) throws TierAccessException {
        if (merkle != null) {
            return purgeExpiredWithTrees(nowMillis);
        }
        if (dialect.singleWriter()) {
            writeLock.lock();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM sync_items WHERE expires_at <= ?")) {
            ps.setLong(1, nowMillis);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("purging expired items", e);
        } finally {
            if (dialect.singleWriter()) {
                writeLock.unlock();
            }
        }
    }

    /** Purges in pages, each one transaction that also takes the purged rows out of their trees. */
    private long purgeExpiredWithTrees(long nowMillis) throws TierAccessException {
        long purged = 0;
        while (true) {
            List<String> due = queryIds("SELECT id FROM sync_items WHERE expires_at <= ? ORDER BY id LIMIT ?",
                    List.of(nowMillis, IN_CHUNK), "listing expired items");
            if (due.isEmpty()) {
                return purged;
            }
            purged += deleteExpired(due, nowMillis);
            if (due.size() < IN_CHUNK) {
                return purged;
            }
        }
    }

    private int deleteExpired(List<String> ids, long nowMillis) throws TierAccessException {
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        return inTransaction(ids, "purging expired items", (c, tree) -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sync_items WHERE expires_at <= ? AND id IN ("
                    + marks + ")")) {
                ps.setLong(1, nowMillis);
                for (int i = 0; i < ids.size(); i++) {
                    ps.setString(i + 2, ids.get(i));
                }
                return ps.executeUpdate();
            }
        });
    }

    /** Every item of some merkle leaf buckets of a namespace, expired ones included (they are in the tree too). */
    List<SyncItem> bucketItems(String namespace, java.util.Collection<MerklePath> leaves) throws TierAccessException {
        List<Integer> all = leaves.stream().map(MerklePath::index).distinct().toList();
        List<SyncItem> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += IN_CHUNK) {
            List<Integer> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            List<Object> params = new ArrayList<>(chunk);
            String where = "WHERE bucket IN (" + marks + ") AND ";
            if (namespace.equals(MerkleNamespaces.ROOT)) {
                where += "id NOT LIKE '%/%'";
            } else {
                where += "id LIKE ?" + LikePatterns.ESCAPE_CLAUSE;
                params.add(LikePatterns.prefixPattern(namespace));
            }
            out.addAll(query(SELECT + where, params, "reading " + chunk.size() + " merkle buckets"));
        }
        return out;
    }

    /** Runs {@code work} on a connection under the tier's writer lock (SQLite's single writer). */
    <T> T write(String what, SqlWork<T> work) throws TierAccessException {
        if (dialect.singleWriter()) {
            writeLock.lock();
        }
        try (Connection c = dataSource.getConnection()) {
            try {
                return work.run(c);
            } catch (SQLException | RuntimeException | TierAccessException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            if (dialect.singleWriter()) {
                writeLock.unlock();
            }
        }
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException, TierAccessException;
    }

    /** The highest version stored, 0 when empty: a restarted writer must issue versions above it. */
    public long maxVersion() throws TierAccessException {
        return count("SELECT COALESCE(MAX(version), 0) FROM sync_items", List.of(), "reading the highest version");
    }

    /**
     * A cheap fingerprint of which rows L3 holds: row count, sum of versions mod a prime, highest version and highest
     * updated_at, as text. A row added behind a reader's back changes it unless an equal change cancels it out in all
     * four at once. One scan of the table; the existence filter stamps its snapshots with it until the L3 merkle
     * root replaces it (see {@code L3StateMarker}).
     */
    public String rowStatsMarker() throws TierAccessException {
        String sql = "SELECT COUNT(*), COALESCE(SUM(version % 2147483647), 0), COALESCE(MAX(version), 0), "
                + "COALESCE(MAX(updated_at), 0) FROM sync_items";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepareRead(c, sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) + ":" + rs.getString(2) + ":" + rs.getLong(3) + ":" + rs.getLong(4);
        } catch (SQLException e) {
            throw failure("reading the row statistics", e);
        }
    }

    @Override
    public long size() throws TierAccessException {
        return count("SELECT COUNT(*) FROM sync_items", List.of(), "counting rows");
    }

    @Override
    public void ping() throws TierAccessException {
        count("SELECT 1", List.of(), "ping");
    }

    @Override
    public void close() {
        if (writers != null) {
            writers.shutdown();
        }
        try {
            onClose.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed", description, e);
        }
    }

    private static String afterClause(String afterId) {
        return afterId == null ? "" : " AND id > ?";
    }

    private static List<Object> params(Object first, String afterId, long nowMillis, int limit) {
        List<Object> params = new ArrayList<>(4);
        params.add(first);
        if (afterId != null) {
            params.add(afterId);
        }
        params.add(nowMillis);
        params.add(limit);
        return params;
    }

    private static void bindRow(PreparedStatement ps, SyncItem item, int bucket) throws SQLException {
        ps.setString(1, item.id());
        ps.setLong(2, item.version());
        ps.setString(3, item.contentHash());
        ps.setString(4, item.contentType().name());
        ps.setString(5, item.state());
        bindContent(ps, 6, item);
        bindExpiry(ps, 8, item);
        ps.setLong(9, item.updatedAt());
        bindBucket(ps, 10, bucket);
    }

    /** The payload into the JSON column ({@code index}) or the blob column after it, the other one null. */
    private static void bindContent(PreparedStatement ps, int index, SyncItem item) throws SQLException {
        if (item.contentType() == ContentType.JSON) {
            ps.setString(index, item.contentAsJson().orElseThrow());
            ps.setNull(index + 1, Types.BLOB);
        } else {
            ps.setNull(index, Types.VARCHAR);
            ps.setBytes(index + 1, item.payload());
        }
    }

    private static void bindExpiry(PreparedStatement ps, int index, SyncItem item) throws SQLException {
        if (item.hasExpiry()) {
            ps.setLong(index, item.expiresAt());
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }

    private static void bindBucket(PreparedStatement ps, int index, int bucket) throws SQLException {
        if (bucket == NO_BUCKET) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, bucket);
        }
    }

    /**
     * Rebuilds an item from a row without trusting it: a bad type tag is re-detected from the bytes, a row with a
     * malformed state or no hash gets a hash that cannot match, so the engine's integrity check reports it.
     */
    private static SyncItem readRow(ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        long version = rs.getLong(2);
        String hash = rs.getString(3);
        String typeTag = rs.getString(4);
        String state = rs.getString(5);
        String json = rs.getString(6);
        byte[] blob = rs.getBytes(7);
        long expiresAt = rs.getLong(8);
        long updatedAt = rs.getLong(9);
        // sqlite-jdbc reads a zero-length blob back as null; the hash check tells an empty payload from a lost one.
        byte[] payload = json != null ? json.getBytes(StandardCharsets.UTF_8) : blob != null ? blob : new byte[0];
        ContentType type;
        try {
            type = ContentType.fromTag(typeTag);
        } catch (IllegalArgumentException e) {
            type = JsonDetector.isJsonDocument(payload) ? ContentType.JSON : ContentType.BINARY;
        }
        boolean readable = hash != null;
        String safeState = state;
        try {
            SyncItem.requireValidState(state);
        } catch (IllegalArgumentException e) {
            safeState = SyncItem.DEFAULT_STATE;
            readable = false;
        }
        return SyncItem.restore(id, payload, type, readable ? hash : "unreadable-row", version, safeState,
                Math.max(0, expiresAt), updatedAt);
    }

    private List<SyncItem> query(String sql, List<Object> params, String what) throws TierAccessException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepareRead(c, sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<SyncItem> items = new ArrayList<>();
                while (rs.next()) {
                    try {
                        items.add(readRow(rs));
                    } catch (IllegalArgumentException e) {
                        LOG.warn("skipping an unreadable row of {} while {}: {}", description, what, e.getMessage());
                    }
                }
                return items;
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private List<String> queryIds(String sql, List<Object> params, String what) throws TierAccessException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepareRead(c, sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private long count(String sql, List<Object> params, String what) throws TierAccessException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepareRead(c, sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** A read statement, on a connection that waits at most {@code readTimeoutMs} for the server (the pool resets it). */
    private PreparedStatement prepareRead(Connection c, String sql) throws SQLException {
        if (readTimeoutMs > 0) {
            c.setNetworkTimeout(Runnable::run, readTimeoutMs);
        }
        return c.prepareStatement(sql);
    }

    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            if (p instanceof String s) {
                ps.setString(i + 1, s);
            } else if (p instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else {
                ps.setLong(i + 1, (Long) p);
            }
        }
    }

    /**
     * A BEGIN refused with SQLITE_BUSY still leaves sqlite-jdbc believing auto-commit is off, and the pool does not
     * reset a setting whose change threw: the next borrower's writes would then run outside any transaction and its
     * commit fail. Switching auto-commit back on before returning the connection resets that flag.
     */
    static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.debug("resetting auto-commit after a failed transaction: {}", e.getMessage());
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed", e);
        }
    }

    private TierAccessException failure(String what, SQLException e) {
        return new TierAccessException(Tier.L3, description + " failed " + what + ": " + e.getMessage(), e);
    }
}
