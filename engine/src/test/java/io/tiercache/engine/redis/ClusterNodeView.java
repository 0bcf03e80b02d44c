package io.tiercache.engine.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.tiercache.engine.chaos.PrivateRedisCluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What each master of a private cluster holds, read on that master alone through a plain connection: evidence of
 * where keys are that does not depend on the tier's own view of the cluster.
 */
final class ClusterNodeView {
    private final PrivateRedisCluster cluster;

    ClusterNodeView(PrivateRedisCluster cluster) {
        this.cluster = cluster;
    }

    /** The keys under {@code prefix} on one master. */
    List<String> keysUnder(int node, String prefix) {
        return on(node, redis -> {
            List<String> keys = new ArrayList<>();
            ScanArgs match = ScanArgs.Builder.matches(new RedisKeys(prefix).allKeysPattern()).limit(1_000);
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<byte[]> page = redis.scan(cursor, match);
                page.getKeys().forEach(key -> keys.add(new String(key, StandardCharsets.UTF_8)));
                cursor = page;
            } while (!cursor.isFinished());
            return keys;
        });
    }

    /** How many keys under {@code prefix} each master holds, in node order. */
    List<Integer> keyCounts(String prefix) {
        List<Integer> counts = new ArrayList<>();
        for (int node = 0; node < PrivateRedisCluster.MASTERS; node++) {
            counts.add(keysUnder(node, prefix).size());
        }
        return counts;
    }

    long usedMemory(int node) {
        String info = on(node, redis -> redis.info("memory"));
        return info.lines().filter(l -> l.startsWith("used_memory:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
    }

    <T> T on(int node, Function<RedisCommands<byte[], byte[]>, T> what) {
        RedisClient client = RedisClient.create(cluster.nodeUrl(node));
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            return what.apply(connection.sync());
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
