package io.tiercache.tck;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Gives the TCK run on Redis + MariaDB a clean start: its own database, dropped and created again, and no key left
 * under its own Redis prefix. Nothing else on the shared servers is touched.
 *
 * <p>Arguments: {@code <jdbc server url> <database> <redis url> <redis prefix>}.
 */
public final class SharedBackends {

    private SharedBackends() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !args[1].matches("[a-z0-9_]+") || args[3].length() < 4) {
            throw new IllegalArgumentException("usage: <jdbc server url> <database [a-z0-9_]+> <redis url> "
                    + "<redis prefix of at least 4 characters>");
        }
        try (Connection c = DriverManager.getConnection(args[0], "root", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + args[1]);
            s.execute("CREATE DATABASE " + args[1] + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
        RedisClient client = RedisClient.create(args[2]);
        long removed = 0;
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(connection.sync(),
                    ScanArgs.Builder.matches(args[3] + "*").limit(1000));
            while (keys.hasNext()) {
                removed += connection.sync().unlink(keys.next());
            }
        } finally {
            client.shutdown();
        }
        System.out.println("[tck] database " + args[1] + " recreated, " + removed + " Redis keys under '" + args[3]
                + "' removed");
    }
}
