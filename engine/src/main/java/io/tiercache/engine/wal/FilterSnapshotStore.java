package io.tiercache.engine.wal;

import com.zaxxer.hikari.HikariDataSource;
import io.tiercache.engine.sql.SqlTiers;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The existence filter's latest snapshot, one row in the local WAL file: local to this node (a snapshot describes
 * what this node's filter held, not anything shared) and on the same disk as the WAL it is restored next to. The
 * bytes are {@link io.tiercache.engine.cuckoo.CuckooFilter#writeTo} output; this class only stores them, the codec
 * decides whether they can be trusted.
 */
public final class FilterSnapshotStore implements AutoCloseable {
    private static final String NAME = "l3";

    private final HikariDataSource pool;
    private final Path file;

    private FilterSnapshotStore(Path file) {
        this.file = file;
        this.pool = new HikariDataSource(SqlTiers.sqliteHikariConfig(file, "tiercache-filter-snapshots", 1));
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS filter_snapshots (name TEXT NOT NULL PRIMARY KEY, "
                    + "snapshot BLOB NOT NULL, written_at INTEGER NOT NULL)");
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("cannot open the filter snapshots in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens the snapshot table inside the WAL file (created with its folder by the WAL, which opens first). */
    public static FilterSnapshotStore open(Path walFile) {
        return new FilterSnapshotStore(walFile);
    }

    /** Replaces the stored snapshot. */
    public void save(byte[] snapshot, long writtenAtMillis) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO filter_snapshots (name, snapshot, written_at) VALUES (?, ?, ?) ON CONFLICT(name) "
                        + "DO UPDATE SET snapshot = excluded.snapshot, written_at = excluded.written_at")) {
            ps.setString(1, NAME);
            ps.setBytes(2, snapshot);
            ps.setLong(3, writtenAtMillis);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the filter snapshot in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The stored snapshot's bytes, if one was ever written. */
    public Optional<byte[]> load() {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT snapshot FROM filter_snapshots WHERE name = ?")) {
            ps.setString(1, NAME);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the filter snapshot in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
