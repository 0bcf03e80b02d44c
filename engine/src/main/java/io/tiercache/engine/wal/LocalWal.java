package io.tiercache.engine.wal;

import com.zaxxer.hikari.HikariDataSource;
import io.tiercache.engine.ContentType;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.sql.SqlTiers;
import io.tiercache.engine.tier.TierWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local write-ahead log: an SQLite file with FULL sync, written by one thread that commits everything queued
 * since its last commit in one transaction (group commit), so many concurrent writers share each fsync.
 *
 * <p>It holds writes acknowledged at {@code LOCAL_WAL} until L3 has them, and every batch L3 refused while it was down.
 * Entries are replayed in sequence order and removed once L3 committed them.
 */
public final class LocalWal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalWal.class);
    private static final int OP_UPSERT = 0;
    private static final int OP_DELETE = 1;
    private static final String COLUMNS = "seq, op, id, version, content_hash, content_type, state, payload, "
            + "expires_at, updated_at, tiers";

    private final Path file;
    private final HikariDataSource pool;
    private final LinkedBlockingQueue<Append> appends = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Long> applied = new ConcurrentLinkedQueue<>();
    private final AtomicLong depth = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    private record Append(TierWrite write, Set<Tier> tiers, CompletableFuture<Long> seq) {
    }

    private LocalWal(Path file) {
        this.file = file;
        this.pool = openPool(file);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS wal_entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                    + "op INTEGER NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NULL, "
                    + "content_type TEXT NULL, state TEXT NULL, payload BLOB NULL, expires_at INTEGER NULL, "
                    + "updated_at INTEGER NULL, tiers INTEGER NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS idx_wal_entries_id ON wal_entries(id)");
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM wal_entries")) {
                depth.set(rs.next() ? rs.getLong(1) : 0);
            }
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("cannot open the local WAL at " + file + ": " + e.getMessage(), e);
        }
        this.writer = new Thread(this::writeLoop, "tiercache-wal-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** The WAL is opened before L3 on a first start, so it is the one that must create the data folder. */
    private static HikariDataSource openPool(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new HikariDataSource(SqlTiers.sqliteHikariConfig(file, "tiercache-wal", 2));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot open the local WAL at " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens (creating if needed) the WAL file; entries left by a previous run are kept for replay. */
    public static LocalWal open(Path file) {
        return new LocalWal(file);
    }

    /** Journals one write; the future completes with its sequence number once the commit is on disk. */
    public CompletableFuture<Long> append(TierWrite write, Set<Tier> sharedTiers) {
        CompletableFuture<Long> seq = new CompletableFuture<>();
        if (closing) {
            seq.completeExceptionally(new IllegalStateException("the local WAL is closed"));
            return seq;
        }
        appends.add(new Append(write, sharedTiers, seq));
        return seq;
    }

    /** Marks an entry as safely in L3; it is removed with the next commit. */
    public void markApplied(long seq) {
        applied.add(seq);
    }

    /** Removes the entries marked applied now, instead of with the writer's next commit. */
    public void commitApplied() {
        commitQueued(List.of());
    }

    /** Entries not yet applied, in the order they were written. */
    public long depth() {
        return depth.get();
    }

    public Path file() {
        return file;
    }

    /** Up to {@code limit} entries with a sequence number above {@code afterSeq}, oldest first. */
    public List<WalEntry> readAfter(long afterSeq, int limit) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT " + COLUMNS + " FROM wal_entries WHERE seq > ? ORDER BY seq LIMIT ?")) {
            ps.setLong(1, afterSeq);
            ps.setInt(2, limit);
            return readEntries(ps);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the local WAL at " + file + ": " + e.getMessage(), e);
        }
    }

    /** Calls {@code consumer} with the id of every entry, oldest first, reading ids only (no payloads). */
    public void forEachId(java.util.function.Consumer<String> consumer) {
        long after = 0;
        while (true) {
            List<Long> seqs = new ArrayList<>();
            try (Connection c = pool.getConnection();
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT seq, id FROM wal_entries WHERE seq > ? ORDER BY seq LIMIT 1000")) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        seqs.add(rs.getLong(1));
                        consumer.accept(rs.getString(2));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the local WAL at " + file + ": " + e.getMessage(), e);
            }
            if (seqs.size() < 1000) {
                return;
            }
            after = seqs.get(seqs.size() - 1);
        }
    }

    /** The highest version journaled, 0 when the WAL is empty. */
    public long maxVersion() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM wal_entries");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the local WAL at " + file + ": " + e.getMessage(), e);
        }
    }

    /** The newest journaled write for {@code id}, if any. */
    public Optional<WalEntry> latestFor(String id) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT " + COLUMNS + " FROM wal_entries WHERE id = ? ORDER BY version DESC, seq DESC LIMIT 1")) {
            ps.setString(1, id);
            List<WalEntry> entries = readEntries(ps);
            return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the local WAL at " + file + ": " + e.getMessage(), e);
        }
    }

    /** Commits everything queued, then stops the writer. */
    @Override
    public void close() {
        closing = true;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commitQueued(drainAppends());
        pool.close();
    }

    private void writeLoop() {
        while (!closing) {
            try {
                Append first = appends.poll(50, TimeUnit.MILLISECONDS);
                List<Append> batch = new ArrayList<>();
                if (first != null) {
                    batch.add(first);
                }
                appends.drainTo(batch);
                if (!batch.isEmpty() || !applied.isEmpty()) {
                    commitQueued(batch);
                }
            } catch (InterruptedException e) {
                if (!closing) {
                    Thread.currentThread().interrupt();
                }
                return;
            } catch (RuntimeException e) {
                LOG.error("local WAL writer failed; continuing", e);
            }
        }
    }

    private List<Append> drainAppends() {
        List<Append> batch = new ArrayList<>();
        appends.drainTo(batch);
        return batch;
    }

    private synchronized void commitQueued(List<Append> batch) {
        List<Long> removals = new ArrayList<>();
        for (Long seq; (seq = applied.poll()) != null; ) {
            removals.add(seq);
        }
        if (batch.isEmpty() && removals.isEmpty()) {
            return;
        }
        List<Long> seqs = new ArrayList<>(batch.size());
        int removed = 0;
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO wal_entries (" + COLUMNS.substring(5)
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
                 PreparedStatement delete = c.prepareStatement("DELETE FROM wal_entries WHERE seq = ?")) {
                c.setAutoCommit(false);
                for (Append append : batch) {
                    bind(insert, append);
                    insert.executeUpdate();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        keys.next();
                        seqs.add(keys.getLong(1));
                    }
                }
                for (long seq : removals) {
                    delete.setLong(1, seq);
                    removed += delete.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        } catch (SQLException | RuntimeException e) {
            IllegalStateException failure = new IllegalStateException(
                    "cannot write the local WAL at " + file + ": " + e.getMessage(), e);
            batch.forEach(append -> append.seq().completeExceptionally(failure));
            applied.addAll(removals);
            LOG.error("local WAL commit failed", e);
            return;
        }
        depth.addAndGet(batch.size() - removed);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).seq().complete(seqs.get(i));
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback of a failed WAL commit failed: {}", e.getMessage());
        }
    }

    /** A refused BEGIN leaves sqlite-jdbc's auto-commit flag off with no transaction; the pool must not reuse that. */
    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.debug("resetting auto-commit after a failed WAL commit: {}", e.getMessage());
        }
    }

    private static void bind(PreparedStatement ps, Append append) throws SQLException {
        TierWrite write = append.write();
        ps.setInt(1, write instanceof TierWrite.Upsert ? OP_UPSERT : OP_DELETE);
        ps.setString(2, write.id());
        ps.setLong(3, write.version());
        if (write instanceof TierWrite.Upsert upsert) {
            SyncItem item = upsert.item();
            ps.setString(4, item.contentHash());
            ps.setString(5, item.contentType().name());
            ps.setString(6, item.state());
            ps.setBytes(7, item.payload());
            ps.setLong(8, item.expiresAt());
            ps.setLong(9, item.updatedAt());
        } else {
            for (int i = 4; i <= 9; i++) {
                ps.setNull(i, i == 7 ? Types.BLOB : Types.VARCHAR);
            }
        }
        ps.setInt(10, tierBits(append.tiers()));
    }

    private static List<WalEntry> readEntries(PreparedStatement ps) throws SQLException {
        List<WalEntry> entries = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long seq = rs.getLong(1);
                String id = rs.getString(3);
                long version = rs.getLong(4);
                TierWrite write = rs.getInt(2) == OP_UPSERT
                        ? new TierWrite.Upsert(SyncItem.restore(id, nonNull(rs.getBytes(8)),
                        ContentType.fromTag(rs.getString(6)), rs.getString(5), version, rs.getString(7),
                        rs.getLong(9), rs.getLong(10)))
                        : new TierWrite.Delete(id, version);
                entries.add(new WalEntry(seq, write, tiersOf(rs.getInt(11))));
            }
        }
        return entries;
    }

    /** sqlite-jdbc reads a zero-length blob back as null. */
    private static byte[] nonNull(byte[] bytes) {
        return bytes == null ? new byte[0] : bytes;
    }

    private static int tierBits(Set<Tier> tiers) {
        int bits = 0;
        for (Tier tier : tiers) {
            bits |= 1 << tier.ordinal();
        }
        return bits;
    }

    private static Set<Tier> tiersOf(int bits) {
        EnumSet<Tier> tiers = EnumSet.noneOf(Tier.class);
        for (Tier tier : Tier.values()) {
            if ((bits & (1 << tier.ordinal())) != 0) {
                tiers.add(tier);
            }
        }
        return tiers;
    }
}
