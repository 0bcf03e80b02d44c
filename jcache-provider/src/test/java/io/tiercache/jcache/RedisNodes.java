package io.tiercache.jcache;

import io.tiercache.engine.redis.SharedRedis;

import javax.cache.CacheManager;
import java.net.URI;
import java.util.Properties;
import java.util.UUID;

/**
 * Nodes in one JVM for the JCache ITs: each a CacheManager with an engine of its own (L1 + the machine's Redis, no
 * L3), all under one key prefix of the test's own, which {@link #close} removes with the provider's engines.
 */
final class RedisNodes implements AutoCloseable {
    private final SharedRedis redis;
    private final TierCachingProvider provider = new TierCachingProvider();

    RedisNodes(String stem) {
        this.redis = new SharedRedis(stem);
    }

    /** A new node: a CacheManager whose engine shares Redis (and so its caches' entries) with the other nodes. */
    CacheManager node(String name) {
        Properties properties = new Properties();
        properties.setProperty("tiercache.sql.enabled", "false");
        properties.setProperty("tiercache.redis.url", SharedRedis.URL);
        properties.setProperty("tiercache.redis.prefix", redis.prefix());
        return provider.getCacheManager(URI.create("test:" + name + "-" + UUID.randomUUID()),
                getClass().getClassLoader(), properties);
    }

    @Override
    public void close() {
        try {
            provider.close();
        } finally {
            redis.close();
        }
    }
}
