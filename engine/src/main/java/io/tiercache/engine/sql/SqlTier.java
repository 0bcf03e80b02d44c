package io.tiercache.engine.sql;

import io.tiercache.engine.ContentType;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.internal.JsonDetector;
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

/**
 * L3: the SQL ground truth. One row per item in {@code sync_items}; JSON payloads in a text column (queryable with the
 * database's JSON functions), everything else in a blob column. Writes are version-guarded and a batch is one
 * transaction.
 */
public final class SqlTier implements ItemTier {
    private static final Logger LOG = LoggerFactory.getLogger(SqlTier.class);
    static final List<String> COLUMNS = List.of("id", "version", "content_hash", "content_type", "state",
            "payload_json", "payload_blob", "expires_at", "updated_at");
    private static final String SELECT = "SELECT " + String.join(", ", COLUMNS) + " FROM sync_items ";
    private static final String NOT_EXPIRED = "(expires_at IS NULL OR expires_at > ?)";
    private static final int IN_CHUNK = 500;
    /** Smallest share of a batch worth its own transaction. */
    private static final int MIN_PART = 250;

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final String description;
    private final AutoCloseable onClose;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ExecutorService writers;
    private final int writeConcurrency;
    private final int readTimeoutMs;

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
    }

    /** Creates the schema if missing; safe to run on every start and from several nodes. */
    public void createSchema() throws TierAccessException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String ddl : dialect.schemaStatements()) {
                s.execute(ddl);
            }
        } catch (SQLException e) {
            throw failure("creating the schema", e);
        }
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
        if (dialect.singleWriter()) {
            writeLock.lock();
        }
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement upsert = c.prepareStatement(dialect.upsertStatement());
                 PreparedStatement delete = c.prepareStatement("DELETE FROM sync_items WHERE id = ? AND version < ?")) {
                c.setAutoCommit(false);
                int upserts = 0;
                int deletes = 0;
                for (TierWrite write : writes) {
                    if (write instanceof TierWrite.Upsert u) {
                        bindRow(upsert, u.item());
                        upsert.addBatch();
                        upserts++;
                    } else {
                        delete.setString(1, write.id());
                        delete.setLong(2, write.version());
                        delete.addBatch();
                        deletes++;
                    }
                }
                if (upserts > 0) {
                    upsert.executeBatch();
                }
                if (deletes > 0) {
                    delete.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        } catch (SQLException e) {
            throw failure("writing a batch of " + writes.size(), e);
        } finally {
            if (dialect.singleWriter()) {
                writeLock.unlock();
            }
        }
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

    /** The highest version stored, 0 when empty: a restarted writer must issue versions above it. */
    public long maxVersion() throws TierAccessException {
        return count("SELECT COALESCE(MAX(version), 0) FROM sync_items", List.of(), "reading the highest version");
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

    private static void bindRow(PreparedStatement ps, SyncItem item) throws SQLException {
        ps.setString(1, item.id());
        ps.setLong(2, item.version());
        ps.setString(3, item.contentHash());
        ps.setString(4, item.contentType().name());
        ps.setString(5, item.state());
        if (item.contentType() == ContentType.JSON) {
            ps.setString(6, item.contentAsJson().orElseThrow());
            ps.setNull(7, Types.BLOB);
        } else {
            ps.setNull(6, Types.VARCHAR);
            ps.setBytes(7, item.payload());
        }
        if (item.hasExpiry()) {
            ps.setLong(8, item.expiresAt());
        } else {
            ps.setNull(8, Types.BIGINT);
        }
        ps.setLong(9, item.updatedAt());
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
