package io.tiercache.jcache.integration;

import io.micrometer.core.instrument.binder.cache.JCacheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tiercache.jcache.TierCachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Micrometer's JCache binder finds tiercache's statistics MXBean and reports from it. */
class MicrometerJCacheMetricsTest {
    private final TierCachingProvider provider = new TierCachingProvider();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    @Test
    void jcacheMetricsReadTheStatisticsMXBean() {
        Properties properties = new Properties();
        properties.setProperty("tiercache.sql.enabled", "false");
        CacheManager manager = provider.getCacheManager(URI.create("test:micrometer"), getClass().getClassLoader(),
                properties);
        Cache<String, String> cache = manager.createCache("metered",
                new MutableConfiguration<String, String>().setStatisticsEnabled(true));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JCacheMetrics.monitor(registry, cache);

        cache.put("a", "1");
        cache.get("a");
        cache.get("a");
        cache.get("missing");

        assertThat(registry.get("cache.gets").tag("result", "hit").functionCounter().count()).isEqualTo(2);
        assertThat(registry.get("cache.gets").tag("result", "miss").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("cache.puts").functionCounter().count()).isEqualTo(1);
    }
}
