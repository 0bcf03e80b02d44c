package io.tiercache.samples.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.hibernate.TierCacheRegionFactory;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the Hibernate samples share: the settings that turn the tiercache second-level cache on, the books they
 * store and the way they build a SessionFactory (plain Hibernate bootstrap, no framework).
 */
final class SampleHibernate {
    static final List<Book> BOOKS = List.of(
            new Book(1, "A Wizard of Earthsea", "Ursula K. Le Guin", 1968),
            new Book(2, "The Left Hand of Darkness", "Ursula K. Le Guin", 1969),
            new Book(3, "Kindred", "Octavia E. Butler", 1979));

    static final String BOOKS_BY_AUTHOR = "from Book where author = :author order by id";

    private SampleHibernate() {
    }

    /** The cache settings every sample starts from; the tiers are added by each sample. */
    static Map<String, Object> cacheSettings() {
        Map<String, Object> settings = new HashMap<>();
        settings.put(AvailableSettings.CACHE_REGION_FACTORY, "tiercache");
        settings.put(AvailableSettings.USE_SECOND_LEVEL_CACHE, "true");
        settings.put(AvailableSettings.USE_QUERY_CACHE, "true");
        // Statistics are how the samples show hits; an application would leave them off or export them.
        settings.put(AvailableSettings.GENERATE_STATISTICS, "true");
        // ... but not Hibernate's per-session timing lines, which would bury the sample's own output
        settings.put(AvailableSettings.LOG_SESSION_METRICS, "false");
        // A misspelled cache setting should stop a sample, not be silently ignored.
        settings.put("hibernate.cache.tiercache.strict", "true");
        return settings;
    }

    /**
     * Hibernate logs through JBoss Logging, which picks java.util.logging (INFO to the console) unless told
     * otherwise; sent to SLF4J it follows the samples' simplelogger.properties (warnings only). Call before
     * Hibernate's first class loads.
     */
    static void logThroughSlf4j() {
        System.setProperty("org.jboss.logging.provider", "slf4j");
    }

    static SessionFactory build(Map<String, Object> settings) {
        StandardServiceRegistry registry = new StandardServiceRegistryBuilder().applySettings(settings).build();
        try {
            return new MetadataSources(registry).addAnnotatedClass(Book.class).buildMetadata().buildSessionFactory();
        } catch (RuntimeException e) {
            StandardServiceRegistryBuilder.destroy(registry);
            throw e;
        }
    }

    /** The engine under the region factory, to say which tier served a read. */
    static SyncEngine engine(SessionFactory sessionFactory) {
        return ((TierCacheRegionFactory) sessionFactory.unwrap(SessionFactoryImplementor.class).getCache()
                .getRegionFactory()).engine();
    }
}
