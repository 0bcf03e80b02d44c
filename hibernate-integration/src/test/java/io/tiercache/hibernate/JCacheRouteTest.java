package io.tiercache.hibernate;

import io.tiercache.hibernate.model.Country;
import io.tiercache.hibernate.model.Person;
import io.tiercache.jcache.TierCachingProvider;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The other way to use tiercache with Hibernate: Hibernate's own JCache region factory ({@code hibernate-jcache})
 * over our JSR-107 provider. Only configuration changes; the application code is the same as with
 * {@code factory_class=tiercache}. (Our region factory is still the recommended one: it keeps soft locks atomic in
 * the engine and stores compact entries instead of Java-serialized Hibernate internals.)
 */
class JCacheRouteTest {

    static Map<String, Object> jcacheSettings() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(AvailableSettings.CACHE_REGION_FACTORY, "jcache");
        settings.put("hibernate.javax.cache.provider", TierCachingProvider.class.getName());
        // a class-path resource Hibernate turns into a file URI; the provider reads a URI ending in .properties
        settings.put("hibernate.javax.cache.uri", "tiercache-jcache-route.properties");
        // regions get JCache's default configuration without a warning per region
        settings.put("hibernate.javax.cache.missing_cache_strategy", "create");
        return settings;
    }

    @Test
    void exactly_one_jcache_provider_is_on_the_class_path() {
        List<String> providers = new ArrayList<>();
        for (CachingProvider provider : Caching.getCachingProviders()) {
            providers.add(provider.getClass().getName());
        }
        assertThat(providers).containsExactly(TierCachingProvider.class.getName());
    }

    @Test
    void hibernate_jcache_over_the_tiercache_provider_caches_entities() {
        try (SessionFactory sessionFactory = HibernateFixture.build(jcacheSettings())) {
            sessionFactory.inTransaction(session -> {
                session.persist(new Person(1, "ada@example.com", "Ada"));
                session.persist(new Country("FR", "France"));
            });
            sessionFactory.getCache().evictAllRegions();
            Statistics statistics = sessionFactory.getStatistics();
            statistics.clear();

            for (int round = 0; round < 2; round++) {
                sessionFactory.inTransaction(session -> {
                    assertThat(session.find(Person.class, 1L).name).isEqualTo("Ada");
                    assertThat(session.find(Country.class, "FR").name).isEqualTo("France");
                });
            }

            assertThat(sessionFactory.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory()
                    .getClass().getName())
                    .isEqualTo("org.hibernate.cache.jcache.internal.JCacheRegionFactory");
            assertThat(statistics.getEntityLoadCount()).as("loaded with SQL: only the first round").isEqualTo(2);
            assertThat(statistics.getSecondLevelCacheHitCount()).as("second round from the cache").isEqualTo(2);
            assertThat(HibernateFixture.region(sessionFactory, Person.class).getHitCount()).isEqualTo(1);
            assertThat(HibernateFixture.region(sessionFactory, Country.class).getHitCount()).isEqualTo(1);
        }
    }
}
