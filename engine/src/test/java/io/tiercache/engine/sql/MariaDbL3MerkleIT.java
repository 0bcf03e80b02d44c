package io.tiercache.engine.sql;

import io.tiercache.engine.SyncEngineConfig;
import org.junit.jupiter.api.AfterEach;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.logging.Logger;

/** L3 merkle maintenance on the shared MariaDB, in a throwaway database, with parallel batch transactions. */
class MariaDbL3MerkleIT extends L3MerkleContract {
    private MariaDbDatabase database;

    @Override
    protected SqlTier openTier() throws Exception {
        database = new MariaDbDatabase();
        return SqlTiers.openMySql(SyncEngineConfig.builder().sqlUrl(database.jdbcUrl()).sqlUsername("root")
                .sqlWriteConcurrency(4).build());
    }

    @Override
    protected Connection connect() throws SQLException {
        return database.connect();
    }

    @Override
    protected DataSource dataSource() {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return database.connect();
            }

            @Override
            public Connection getConnection(String user, String password) throws SQLException {
                return DriverManager.getConnection(database.jdbcUrl(), user, password);
            }

            @Override
            public java.io.PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(java.io.PrintWriter out) {
            }

            @Override
            public void setLoginTimeout(int seconds) {
            }

            @Override
            public int getLoginTimeout() {
                return 0;
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getGlobal();
            }

            @Override
            public <T> T unwrap(Class<T> iface) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isWrapperFor(Class<?> iface) {
                return false;
            }
        };
    }

    @Override
    protected String oldDirtyTableDdl() {
        return "CREATE TABLE merkle_dirty (namespace VARBINARY(512) NOT NULL, bucket INT NOT NULL, "
                + "stamp BIGINT NOT NULL, PRIMARY KEY (namespace, bucket)) ENGINE=InnoDB";
    }

    @AfterEach
    void dropDatabase() throws Exception {
        database.close();
    }
}
