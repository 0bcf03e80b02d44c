package io.tiercache.engine.merkle;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tiercache.engine.sql.MariaDbDatabase;
import io.tiercache.engine.sql.MySqlDialect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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

    /**
     * A batch that notes a bucket again while a settle is between reading the notes and removing them keeps its note:
     * the settle read the rows before that batch, so the bucket must be settled again.
     */
    @Test
    void aNoteRestampedDuringASettleSurvivesIt() throws Exception {
        try (Connection batch = pool.getConnection()) {
            store.markDirty(batch, Map.of("users/", List.of(5, 9)), 1L);
        }
        try (Connection settle = pool.getConnection(); Connection later = pool.getConnection()) {
            settle.setAutoCommit(false);
            Map<Integer, Long> noted = store.dirtyBuckets(settle, "users/");
            assertThat(noted).containsExactlyInAnyOrderEntriesOf(Map.of(5, 1L, 9, 1L));
            store.markDirty(later, Map.of("users/", List.of(5)), 2L);
            store.clearDirty(settle, "users/", noted);
            settle.commit();
        }
        assertThat(store.isUnsettled("users/")).isTrue();
        try (Connection c = pool.getConnection()) {
            assertThat(store.dirtyBuckets(c, "users/")).containsExactly(Map.entry(5, 2L));
        }
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
