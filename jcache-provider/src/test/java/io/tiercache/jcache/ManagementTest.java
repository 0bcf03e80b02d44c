package io.tiercache.jcache;

import io.tiercache.jcache.management.MBeanRegistrar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ManagementTest {
    @TempDir
    Path dir;

    private final TierCachingProvider provider = new TierCachingProvider();
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    @Test
    void beansAreRegisteredWhileEnabled() throws Exception {
        CacheManager manager = TierSetup.L1_ONLY.open(provider, dir);
        Cache<String, String> cache = manager.createCache("managed", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        ObjectName statistics = MBeanRegistrar.objectName(MBeanRegistrar.Kind.STATISTICS, manager.getURI(), "managed");
        ObjectName configuration = MBeanRegistrar.objectName(MBeanRegistrar.Kind.CONFIGURATION, manager.getURI(),
                "managed");
        assertThat(server.isRegistered(statistics)).isFalse();

        manager.enableStatistics("managed", true);
        manager.enableManagement("managed", true);
        cache.put("k", "v");
        cache.get("k");
        cache.get("other");

        assertThat(server.getAttribute(statistics, "CacheHits")).isEqualTo(1L);
        assertThat(server.getAttribute(statistics, "CacheMisses")).isEqualTo(1L);
        assertThat(server.getAttribute(statistics, "CachePuts")).isEqualTo(1L);
        assertThat(server.getAttribute(configuration, "KeyType")).isEqualTo("java.lang.String");
        assertThat(server.getAttribute(configuration, "StatisticsEnabled")).isEqualTo(true);

        manager.enableStatistics("managed", false);
        assertThat(server.isRegistered(statistics)).isFalse();
        cache.close();
        assertThat(server.isRegistered(configuration)).isFalse();
    }
}
