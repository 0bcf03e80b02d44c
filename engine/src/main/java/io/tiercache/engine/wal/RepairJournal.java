package io.tiercache.engine.wal;

import com.zaxxer.hikari.HikariDataSource;
import io.tiercache.engine.sql.SqlTiers;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Ids whose copy in a cache tier (L2) may be stale because a write or delete could not reach it, with the version of
 * that write, kept in the local WAL file so that a crash during a Redis outage does not forget them. Each flush also
 * notes its writes here before they reach L3 and forgets them once L2 has them, so a process killed in between leaves
 * them owed too. Before the tier is trusted again every recorded id is invalidated there.
 */
public final class RepairJournal implements AutoCloseable {
    private final HikariDataSource pool;
    private final Path file;

    private RepairJournal(Path file) {
        this.file = file;
        this.pool = new HikariDataSource(SqlTiers.sqliteHikariConfig(file, "tiercache-repairs", 1));
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS l2_repairs (id TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL)");
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("cannot open the repair journal in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens the journal inside the WAL file (created with its folder by the WAL, which opens first). */
    public static RepairJournal open(Path walFile) {
        return new RepairJournal(walFile);
    }

    /** Records ids with the newest version that failed to reach the tier. */
    public void record(Map<String, Long> versions) {
        if (versions.isEmpty()) {
            return;
        }
        write("INSERT INTO l2_repairs (id, version) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET "
                + "version = excluded.version WHERE excluded.version > l2_repairs.version", versions);
    }

    /** Forgets ids repaired at (at least) the recorded version; a newer failure recorded since stays. */
    public void forget(Map<String, Long> repaired) {
        if (repaired.isEmpty()) {
            return;
        }
        write("DELETE FROM l2_repairs WHERE id = ? AND version <= ?", repaired);
    }

    public Map<String, Long> load() {
        Map<String, Long> versions = new HashMap<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, version FROM l2_repairs")) {
            while (rs.next()) {
                versions.put(rs.getString(1), rs.getLong(2));
            }
            return versions;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the repair journal in " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(String sql, Map<String, Long> versions) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (Map.Entry<String, Long> entry : versions.entrySet()) {
                    ps.setString(1, entry.getKey());
                    ps.setLong(2, entry.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the repair journal in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
