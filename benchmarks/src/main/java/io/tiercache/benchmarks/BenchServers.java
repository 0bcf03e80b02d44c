package io.tiercache.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The local servers the Redis and MariaDB benchmarks use (scripts/services.sh starts them), each benchmark under a
 * database and key prefix of its own that it removes afterwards.
 */
final class BenchServers {
    static final String REDIS_URL = "redis://127.0.0.1:6379";
    static final String MYSQL_SERVER = "jdbc:mysql://127.0.0.1:3306/";

    private BenchServers() {
    }

    static void recreateDatabase(String name) throws SQLException {
        execute("DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name
                + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    }

    static void dropDatabase(String name) throws SQLException {
        execute("DROP DATABASE IF EXISTS " + name);
    }

    static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(MYSQL_SERVER + database + "?rewriteBatchedStatements=true", "root", "");
    }

    static void deleteRedisKeys(String pattern) {
        RedisClient client = RedisClient.create(REDIS_URL);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(pattern)
                    .limit(1000));
            while (keys.hasNext()) {
                connection.sync().unlink(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }

    static void deleteFolder(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static void execute(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(MYSQL_SERVER, "root", ""); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
