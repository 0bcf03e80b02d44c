package io.tiercache.hibernate;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A key prefix of one test's own on the machine's shared Redis (127.0.0.1:6379), and the clean-up of exactly those
 * keys (SCAN MATCH prefix* + UNLINK). Other users of that Redis are never touched: no FLUSHALL, CONFIG or SHUTDOWN.
 */
final class SharedRedisPrefix implements AutoCloseable {
    static final String SHARED_URL = "redis://127.0.0.1:6379";

    private final String prefix = "tcit:hib:" + UUID.randomUUID() + ":";

    String prefix() {
        return prefix;
    }

    /** How many keys are under the prefix now. */
    long count() {
        return keys().size();
    }

    @Override
    public void close() {
        RedisClient client = RedisClient.create(SHARED_URL);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = keys(connection);
            if (!keys.isEmpty()) {
                connection.sync().unlink(keys.toArray(new String[0]));
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private List<String> keys() {
        RedisClient client = RedisClient.create(SHARED_URL);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return keys(connection);
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private List<String> keys(StatefulRedisConnection<String, String> connection) {
        List<String> keys = new ArrayList<>();
        // the prefix is a UUID plus ':', so it holds no glob characters to escape
        ScanIterator<String> scan = ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500));
        scan.forEachRemaining(keys::add);
        return keys;
    }
}
