package io.tiercache.samples.spring;

import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;

/**
 * Plain Spring (no Boot) caching through JSR-107: {@code @EnableCaching} turns on Spring's JCache annotation
 * interceptor because {@code javax.cache} and {@code spring-context-support} are on the class path, and
 * {@link JCacheCacheManager} wraps whatever {@link Caching#getCachingProvider()} finds. With the tiercache jar on
 * the class path that is {@code io.tiercache.jcache.TierCachingProvider}: this configuration names no tiercache class.
 */
@Configuration
@EnableCaching
public class SpringJCacheConfig {
    /** The provider's settings (L1 only here; add tiercache.redis.url or tiercache.sql.url for more tiers). */
    static final String SETTINGS = "classpath:tiercache-spring-sample.properties";

    @Bean(destroyMethod = "close")
    public CacheManager jcacheManager() {
        CacheManager manager = Caching.getCachingProvider().getCacheManager(URI.create(SETTINGS),
                SpringJCacheConfig.class.getClassLoader());
        // Spring looks caches up by name and does not create JCache caches itself.
        if (manager.getCache("titles", String.class, String.class) == null) {
            manager.createCache("titles", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class).setStatisticsEnabled(true));
        }
        return manager;
    }

    @Bean
    public JCacheCacheManager cacheManager(CacheManager jcacheManager) {
        return new JCacheCacheManager(jcacheManager);
    }

    @Bean
    public BookTitles bookTitles() {
        return new BookTitles();
    }
}
