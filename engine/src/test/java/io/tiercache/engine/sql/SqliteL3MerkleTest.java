package io.tiercache.engine.sql;

import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** L3 merkle maintenance on an SQLite file. */
class SqliteL3MerkleTest extends L3MerkleContract {
    @TempDir
    Path dir;

    @Override
    protected SqlTier openTier() throws Exception {
        return SqlTiers.openSqlite(dir.resolve("l3.db"));
    }

    @Override
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("l3.db"));
    }

    @Override
    protected DataSource dataSource() {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("l3.db"));
        return ds;
    }

    @Override
    protected String oldDirtyTableDdl() {
        return "CREATE TABLE merkle_dirty (namespace TEXT NOT NULL, bucket INTEGER NOT NULL, stamp INTEGER NOT NULL, "
                + "PRIMARY KEY (namespace, bucket)) WITHOUT ROWID";
    }
}
