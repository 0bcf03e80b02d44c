package io.tiercache.hibernate;

import io.tiercache.hibernate.model.Country;
import io.tiercache.hibernate.model.Note;
import io.tiercache.hibernate.model.Person;
import io.tiercache.hibernate.model.Pet;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.stat.CacheRegionStatistics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds SessionFactories on a fresh in-memory H2 database with the tiercache second-level cache. */
final class HibernateFixture {
    static final List<Class<?>> ENTITIES = List.of(Person.class, Pet.class, Country.class, Note.class);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private HibernateFixture() {
    }

    static Map<String, Object> settings() {
        Map<String, Object> settings = new HashMap<>();
        settings.put(AvailableSettings.JAKARTA_JDBC_URL,
                "jdbc:h2:mem:tiercache" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        settings.put(AvailableSettings.JAKARTA_JDBC_USER, "sa");
        settings.put(AvailableSettings.JAKARTA_JDBC_PASSWORD, "");
        settings.put(AvailableSettings.HBM2DDL_AUTO, "create-drop");
        settings.put(AvailableSettings.USE_SECOND_LEVEL_CACHE, "true");
        settings.put(AvailableSettings.USE_QUERY_CACHE, "true");
        settings.put(AvailableSettings.CACHE_REGION_FACTORY, "tiercache");
        settings.put(AvailableSettings.GENERATE_STATISTICS, "true");
        settings.put(AvailableSettings.POOL_SIZE, "4");
        return settings;
    }

    static SessionFactory build() {
        return build(settings(), ENTITIES);
    }

    static SessionFactory build(Map<String, Object> settings) {
        return build(settings, ENTITIES);
    }

    static SessionFactory build(Map<String, Object> settings, List<Class<?>> entities) {
        StandardServiceRegistry registry = new StandardServiceRegistryBuilder().applySettings(settings).build();
        try {
            MetadataSources sources = new MetadataSources(registry);
            entities.forEach(sources::addAnnotatedClass);
            return sources.buildMetadata().buildSessionFactory();
        } catch (RuntimeException e) {
            StandardServiceRegistryBuilder.destroy(registry);
            throw e;
        }
    }

    static TierCacheRegionFactory regionFactory(SessionFactory sessionFactory) {
        return (TierCacheRegionFactory) sessionFactory.unwrap(org.hibernate.engine.spi.SessionFactoryImplementor.class)
                .getCache().getRegionFactory();
    }

    static CacheRegionStatistics region(SessionFactory sessionFactory, Class<?> entity) {
        return sessionFactory.getStatistics().getDomainDataRegionStatistics(entity.getName());
    }
}
