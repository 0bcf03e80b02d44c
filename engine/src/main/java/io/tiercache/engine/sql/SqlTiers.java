package io.tiercache.engine.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.Tier;
import io.tiercache.engine.tier.TierAccessException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the L3 tier the configuration names: an SQLite file (the default) or a MySQL/MariaDB server. */
public final class SqlTiers {
    private static final long DEFAULT_LOCK_TIMEOUT_MS = 10_000;

    private SqlTiers() {
    }

    /** The configured L3, maintaining merkle trees when {@code merkleCalcEnabled}. */
    public static SqlTier open(SyncEngineConfig config) throws TierAccessException {
        String url = config.sqlUrl();
        SqlTier tier = url.startsWith("jdbc:sqlite:")
                ? openSqlite(Path.of(url.substring("jdbc:sqlite:".length())), config.sqlLockTimeoutMs())
                : openMySql(config);
        if (config.merkleCalcEnabled()) {
            try {
                tier.enableMerkle();
            } catch (TierAccessException e) {
                tier.close();
                throw e;
            }
        }
        return tier;
    }

    /**
     * A MySQL or MariaDB server through mysql-connector-j ({@code jdbc:mariadb:} URLs are spoken to with the same
     * driver). Batched statements are rewritten into multi-row inserts.
     */
    public static SqlTier openMySql(SyncEngineConfig config) throws TierAccessException {
        String url = config.sqlUrl().replaceFirst("^jdbc:mariadb:", "jdbc:mysql:");
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        hikari.setDriverClassName("com.mysql.cj.jdbc.Driver");
        if (config.sqlUsername() != null) {
            hikari.setUsername(config.sqlUsername());
        }
        if (config.sqlPassword() != null) {
            hikari.setPassword(config.sqlPassword());
        }
        hikari.setPoolName("tiercache-l3");
        hikari.setMaximumPoolSize(Math.max(4, config.sqlWriteConcurrency() + 2));
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(config.sqlTimeoutMs());
        // Hikari checks a connection idle for over 500 ms before lending it, by default for up to 5 s, and through
        // isValid(whole seconds) even below 1 s: a hung server would hold the borrower that long. A test query is
        // bounded by the network timeout Hikari sets to validationTimeout, to the millisecond.
        hikari.setValidationTimeout(Math.max(250, config.sqlTimeoutMs()));
        hikari.setConnectionTestQuery("SELECT 1");
        // Fail fast at start only through createSchema below, so an unreachable server is a TierAccessException.
        hikari.setInitializationFailTimeout(-1);
        hikari.addDataSourceProperty("rewriteBatchedStatements", "true");
        hikari.addDataSourceProperty("cachePrepStmts", "true");
        hikari.addDataSourceProperty("useUnicode", "true");
        hikari.addDataSourceProperty("characterEncoding", "UTF-8");
        hikari.addDataSourceProperty("connectTimeout", String.valueOf(config.sqlTimeoutMs()));
        hikari.addDataSourceProperty("socketTimeout", String.valueOf(3 * config.sqlTimeoutMs()));
        HikariDataSource pool = new HikariDataSource(hikari);
        SqlTier tier = new SqlTier(pool, new MySqlDialect(), "mysql:" + redact(url), pool,
                config.sqlWriteConcurrency(), config.sqlTimeoutMs());
        try {
            tier.createSchema();
        } catch (TierAccessException e) {
            pool.close();
            throw e;
        }
        return tier;
    }

    private static String redact(String url) {
        String withoutQuery = url.replaceFirst("\\?.*$", "");
        return withoutQuery.replaceFirst("^jdbc:mysql://[^@/]*@", "jdbc:mysql://");
    }

    /** An SQLite file at {@code file} (parent folders are created), in WAL journal mode with FULL sync. */
    public static SqlTier openSqlite(Path file) throws TierAccessException {
        return openSqlite(file, DEFAULT_LOCK_TIMEOUT_MS);
    }

    /** Like {@link #openSqlite(Path)}, waiting at most {@code lockTimeoutMs} for another writer's lock. */
    public static SqlTier openSqlite(Path file, long lockTimeoutMs) throws TierAccessException {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the folder of the SQLite file " + file + ": " + e, e);
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(sqliteHikariConfig(file, "tiercache-l3", 4, lockTimeoutMs));
        } catch (RuntimeException e) {
            // Hikari reports an unopenable file as its own unchecked exception, without the path.
            throw new TierAccessException(Tier.L3, "cannot open the SQLite file " + file + ": " + e.getMessage(), e);
        }
        SqlTier tier = new SqlTier(pool, new SqliteDialect(), "sqlite:" + file, pool);
        try {
            tier.createSchema();
        } catch (TierAccessException e) {
            pool.close();
            throw e;
        }
        return tier;
    }

    /** A pool over an SQLite file: WAL journal, FULL sync, IMMEDIATE transactions, case-sensitive LIKE. */
    public static HikariConfig sqliteHikariConfig(Path file, String poolName, int maxConnections) {
        return sqliteHikariConfig(file, poolName, maxConnections, DEFAULT_LOCK_TIMEOUT_MS);
    }

    public static HikariConfig sqliteHikariConfig(Path file, String poolName, int maxConnections,
                                                  long lockTimeoutMs) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        sqlite.setBusyTimeout((int) lockTimeoutMs);
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        sqlite.enableCaseSensitiveLike(true);
        SQLiteDataSource dataSource = new SQLiteDataSource(sqlite);
        dataSource.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(dataSource);
        hikari.setPoolName(poolName);
        hikari.setMaximumPoolSize(maxConnections);
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(10_000);
        return hikari;
    }
}
