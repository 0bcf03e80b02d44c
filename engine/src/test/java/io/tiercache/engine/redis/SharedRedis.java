package io.tiercache.engine.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.tiercache.engine.SyncEngineConfig;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The machine's Redis (127.0.0.1:6379, or {@code TIERCACHE_IT_REDIS_URL}), shared with other tests: each user gets
 * a unique key prefix and deletes exactly its keys (SCAN MATCH prefix* + UNLINK). Never FLUSHALL, FLUSHDB, CONFIG SET
 * or SHUTDOWN here.
 */
public final class SharedRedis implements AutoCloseable {
    public static final String URL = System.getenv().getOrDefault("TIERCACHE_IT_REDIS_URL", "redis://127.0.0.1:6379");

    private final String prefix;
    private final RedisClient client = RedisClient.create(URL);
    private final StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);

    public SharedRedis() {
        this("tcit:");
    }

    /** Keys under {@code stem + <uuid> + ":"}. */
    public SharedRedis(String stem) {
        this.prefix = stem + UUID.randomUUID() + ":";
    }

    /** The unique prefix of this user; sub-prefixes of it are cleaned too. */
    public String prefix() {
        return prefix;
    }

    SyncEngineConfig.Builder config(String subPrefix) {
        return SyncEngineConfig.builder().redisUrl(URL).redisPrefix(prefix + subPrefix)
                .redisTimeoutMs(2_000).redisResponseTimeoutMs(5_000);
    }

    /** Raw commands for writing behind the tier's back. */
    RedisCommands<byte[], byte[]> raw() {
        return connection.sync();
    }

    long countKeys() {
        return deleteOrCount(false);
    }

    /** Deletes every key under the prefix; returns how many there were. */
    public long deleteKeys() {
        return deleteOrCount(true);
    }

    private long deleteOrCount(boolean delete) {
        RedisCommands<byte[], byte[]> redis = connection.sync();
        ScanArgs match = ScanArgs.Builder.matches(new RedisKeys(prefix).allKeysPattern()).limit(1000);
        long seen = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<byte[]> page = redis.scan(cursor, match);
            seen += page.getKeys().size();
            if (delete && !page.getKeys().isEmpty()) {
                redis.unlink(page.getKeys().toArray(new byte[0][]));
            }
            cursor = page;
        } while (!cursor.isFinished());
        return seen;
    }

    @Override
    public void close() {
        try {
            deleteOrCount(true);
        } finally {
            connection.close();
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
