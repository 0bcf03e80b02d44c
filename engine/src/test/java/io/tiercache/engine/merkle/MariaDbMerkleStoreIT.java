package io.tiercache.engine.merkle;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tiercache.engine.sql.MariaDbDatabase;
import io.tiercache.engine.sql.MySqlDialect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;

/** The merkle store contract on the local MariaDB, in a database of its own that is dropped afterwards. */
class MariaDbMerkleStoreIT extends MerkleStoreContract {
    private MariaDbDatabase database;
    private HikariDataSource pool;
    private SqlMerkleStore store;

    @BeforeEach
    void open() throws Exception {
        database = new MariaDbDatabase();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setUsername(database.username());
        config.setMaximumPoolSize(2);
        config.addDataSourceProperty("rewriteBatchedStatements", "true");
        pool = new HikariDataSource(config);
        store = new SqlMerkleStore(pool, SqlMerkleStore.Dialect.of(new MySqlDialect()));
        store.createSchema();
        store.createSchema();
    }

    @AfterEach
    void close() throws Exception {
        pool.close();
        database.close();
    }

    @Override
    protected MerkleStore store() {
        return store;
    }

    @Override
    protected DataSource dataSource() {
        return pool;
    }
}
