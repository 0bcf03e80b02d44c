package io.tiercache.jcache;

import io.tiercache.engine.TimeSource;

import javax.cache.CacheManager;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

/** The tier configurations every behavioural test runs against. */
enum TierSetup {
    L1_ONLY {
        @Override
        Properties properties(Path dir) {
            Properties properties = new Properties();
            properties.setProperty("tiercache.sql.enabled", "false");
            return properties;
        }
    },
    SQLITE {
        @Override
        Properties properties(Path dir) {
            Properties properties = new Properties();
            properties.setProperty("tiercache.data-dir", dir.resolve("data").toString());
            return properties;
        }
    };

    abstract Properties properties(Path dir);

    /** A fresh CacheManager of its own (a unique URI) over this setup, with the given clock. */
    CacheManager open(TierCachingProvider provider, Path dir, TimeSource clock) {
        Properties properties = properties(dir);
        properties.put("tiercache.time-source", clock);
        properties.setProperty("tiercache.serialization.allowlist", "io.tiercache.jcache.**");
        return provider.getCacheManager(URI.create("test:" + name() + "-" + UUID.randomUUID()),
                getClass().getClassLoader(), properties);
    }

    CacheManager open(TierCachingProvider provider, Path dir) {
        return open(provider, dir, TimeSource.system());
    }
}
