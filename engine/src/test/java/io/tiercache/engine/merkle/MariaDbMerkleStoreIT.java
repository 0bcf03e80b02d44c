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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
     * A batch that notes a bucket while a settle is between reading the notes and removing them keeps its note: the
     * settle read the rows before that batch, so the bucket must be settled again.
     */
    @Test
    void aNoteAddedDuringASettleSurvivesIt() throws Exception {
        try (Connection batch = pool.getConnection()) {
            store.markDirty(batch, Map.of("users/", bits(5, 9)), 1L);
        }
        try (Connection settle = pool.getConnection(); Connection later = pool.getConnection()) {
            settle.setAutoCommit(false);
            SqlMerkleStore.Notes read = store.dirtyNotes(settle, "users/");
            assertThat(read.buckets()).isEqualTo(bits(5, 9));
            assertThat(read.stamps()).containsExactly(1L);
            store.markDirty(later, Map.of("users/", bits(5)), 2L);
            store.clearNotes(settle, "users/", read.allStamps());
            settle.commit();
        }
        assertThat(store.isUnsettled("users/")).isTrue();
        try (Connection c = pool.getConnection()) {
            SqlMerkleStore.Notes left = store.dirtyNotes(c, "users/");
            assertThat(left.stamps()).containsExactly(2L);
            assertThat(left.buckets()).isEqualTo(bits(5));
        }
    }

    /**
     * Nodes starting at once on a database an earlier build left {@code merkle_dirty} in all move its notes: whoever
     * comes second finds the table gone, or moves the same notes again, which only notes them twice.
     */
    @Test
    void nodesMigratingTheOldNotesAtOnceAllSucceedAndKeepEveryNote() throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE merkle_dirty (namespace VARBINARY(512) NOT NULL, bucket INT NOT NULL, "
                    + "stamp BIGINT NOT NULL, PRIMARY KEY (namespace, bucket)) ENGINE=InnoDB");
            s.execute("INSERT INTO merkle_dirty VALUES ('users/', 0, 1), ('users/', 65535, 1), ('users/', 7, 2), "
                    + "('~', 300, 3)");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setUsername(database.username());
        config.setMaximumPoolSize(4);
        try (HikariDataSource nodes = new HikariDataSource(config)) {
            ExecutorService starts = Executors.newFixedThreadPool(4);
            try {
                CyclicBarrier together = new CyclicBarrier(4);
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    done.add(starts.submit(() -> {
                        together.await();
                        new SqlMerkleStore(nodes, SqlMerkleStore.Dialect.MYSQL).createSchema();
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                starts.shutdownNow();
            }
        }
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables "
                    + "WHERE table_schema = DATABASE() AND table_name = 'merkle_dirty'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("merkle_dirty left").isZero();
            }
            assertThat(store.dirtyNotes(c, "users/").buckets()).isEqualTo(bits(0, 7, 65535));
            assertThat(store.dirtyNotes(c, "~").buckets()).isEqualTo(bits(300));
            assertThat(store.dirtyNotes(c, "users/").unreadable()).isEmpty();
        }
    }

    private static BitSet bits(int... buckets) {
        BitSet out = new BitSet();
        for (int b : buckets) {
            out.set(b);
        }
        return out;
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
