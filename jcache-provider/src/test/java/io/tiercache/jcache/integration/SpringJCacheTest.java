package io.tiercache.jcache.integration;

import io.tiercache.jcache.TierCachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.cache.Cache;
import org.springframework.cache.jcache.JCacheCacheManager;

import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Spring's cache abstraction runs unchanged on tiercache through its standard JCache adapter. */
class SpringJCacheTest {
    private final TierCachingProvider provider = new TierCachingProvider();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    @Test
    void springJCacheCacheManagerUsesTiercacheCaches() {
        Properties properties = new Properties();
        properties.setProperty("tiercache.sql.enabled", "false");
        CacheManager jcache = provider.getCacheManager(URI.create("test:spring"), getClass().getClassLoader(),
                properties);
        jcache.createCache("books", new MutableConfiguration<Object, Object>());
        JCacheCacheManager spring = new JCacheCacheManager(jcache);
        spring.afterPropertiesSet();

        Cache books = spring.getCache("books");
        books.put("isbn-1", "Dune");

        assertThat(books.get("isbn-1", String.class)).isEqualTo("Dune");
        assertThat(jcache.getCache("books").get("isbn-1")).isEqualTo("Dune");
        assertThat(books.get("isbn-2", () -> "Emma")).isEqualTo("Emma");
        books.evict("isbn-1");
        assertThat(books.get("isbn-1")).isNull();
    }
}
