package io.tiercache.engine.sql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A throwaway database on the machine's MariaDB/MySQL (127.0.0.1:3306, root without password, or
 * {@code TIERCACHE_IT_MYSQL_URL}), so integration tests never see each other's rows. Dropped on close.
 */
public final class MariaDbDatabase implements AutoCloseable {
    private static final String SERVER = System.getenv().getOrDefault("TIERCACHE_IT_MYSQL_URL",
            "jdbc:mysql://127.0.0.1:3306/");
    private final String name = "tc_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    public MariaDbDatabase() throws SQLException {
        execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    }

    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return SERVER + name;
    }

    public String username() {
        return "root";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), username(), "");
    }

    @Override
    public void close() throws SQLException {
        execute("DROP DATABASE IF EXISTS " + name);
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
