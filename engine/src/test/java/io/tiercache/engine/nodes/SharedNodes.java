package io.tiercache.engine.nodes;

import io.tiercache.engine.redis.SharedRedis;
import io.tiercache.engine.sql.MariaDbDatabase;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Node processes of a multi-JVM test that share the machine's Redis (under a key prefix of their own) and MariaDB
 * (in a database of their own); closing stops the nodes, then deletes the keys and drops the database.
 *
 * <pre>{@code
 * try (SharedNodes shared = SharedNodes.open()) {
 *     NodeProcess a = shared.start(EngineNode.class, dir.resolve("a.log"), shared.redis().prefix(), ...);
 * }
 * }</pre>
 */
public final class SharedNodes implements AutoCloseable {
    private final SharedRedis redis;
    private final MariaDbDatabase database;
    private final List<NodeProcess> nodes = new ArrayList<>();

    private SharedNodes(SharedRedis redis, MariaDbDatabase database) {
        this.redis = redis;
        this.database = database;
    }

    public static SharedNodes open() throws SQLException {
        SharedRedis redis = new SharedRedis();
        try {
            return new SharedNodes(redis, new MariaDbDatabase());
        } catch (SQLException | RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    public SharedRedis redis() {
        return redis;
    }

    public MariaDbDatabase database() {
        return database;
    }

    /** Starts a node (see {@link NodeProcess#start}) that {@link #close} stops. */
    public NodeProcess start(Class<?> mainClass, Path log, String... args) throws Exception {
        NodeProcess node = NodeProcess.start(mainClass, log, args);
        nodes.add(node);
        return node;
    }

    @Override
    public void close() throws Exception {
        try {
            for (NodeProcess node : nodes) {
                node.close();
            }
        } finally {
            try {
                redis.close();
            } finally {
                database.close();
            }
        }
    }
}
