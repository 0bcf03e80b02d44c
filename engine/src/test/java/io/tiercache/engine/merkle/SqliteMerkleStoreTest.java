package io.tiercache.engine.merkle;

import com.zaxxer.hikari.HikariDataSource;
import io.tiercache.engine.sql.SqlTiers;
import io.tiercache.engine.sql.SqliteDialect;
import io.tiercache.engine.tier.TierAccessException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The merkle store contract on a real SQLite file, configured as L3 configures it. */
class SqliteMerkleStoreTest extends MerkleStoreContract {
    @TempDir
    Path dir;
    private HikariDataSource pool;
    private SqlMerkleStore store;

    @BeforeEach
    void open() throws Exception {
        pool = new HikariDataSource(SqlTiers.sqliteHikariConfig(dir.resolve("l3.db"), "merkle-test", 2));
        store = new SqlMerkleStore(pool, SqlMerkleStore.Dialect.of(new SqliteDialect()));
        store.createSchema();
        store.createSchema();
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Override
    protected MerkleStore store() {
        return store;
    }

    @Override
    protected DataSource dataSource() {
        return pool;
    }

    /** SQLite keeps a blob's length (MariaDB's BINARY(32) pads), so a short digest can reach the decoder here. */
    @Test
    void aRowWithAShortDigestIsReportedNotReturned() throws Exception {
        plantRow("bad", "a3", new byte[7]);
        assertThatThrownBy(() -> store.loadAll("bad")).isInstanceOf(TierAccessException.class)
                .hasMessageContaining("path 'a3'").hasMessageContaining("32 bytes, got 7");
    }

    @Test
    void nodesSurviveReopeningTheFile() throws Exception {
        MerkleTree tree = MerkleTree.build(TestItems.items(100));
        store.store("ns", tree.nodes());
        pool.close();
        pool = new HikariDataSource(SqlTiers.sqliteHikariConfig(dir.resolve("l3.db"), "merkle-test", 2));
        assertThat(new SqlMerkleStore(pool, SqlMerkleStore.Dialect.SQLITE).root("ns")).isEqualTo(tree.root());
    }
}
