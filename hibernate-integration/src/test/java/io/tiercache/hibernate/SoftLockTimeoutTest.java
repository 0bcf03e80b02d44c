package io.tiercache.hibernate;

import io.tiercache.engine.EngineState;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.hibernate.model.Person;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.stat.CacheRegionStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A soft lock whose transaction never completes (a crashed node) stops blocking the entry after the lock timeout. */
class SoftLockTimeoutTest {
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private SyncEngine engine;
    private SessionFactory sessionFactory;

    @BeforeEach
    void start() {
        engine = SyncEngine.start(SyncEngineConfig.builder().sqlEnabled(false).timeSource(now::get).build());
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.ENGINE, engine);
        settings.put(TierCacheSettings.LOCK_TIMEOUT, "5s");
        sessionFactory = HibernateFixture.build(settings);
        sessionFactory.inTransaction(session -> session.persist(new Person(1, "ada@example.com", "Ada")));
        sessionFactory.getCache().evictAllRegions();
    }

    @AfterEach
    void stop() {
        sessionFactory.close();
        assertThat(engine.state()).as("an injected engine is not shut down by Hibernate").isEqualTo(EngineState.READY);
        engine.shutdown();
    }

    @Test
    void an_abandoned_soft_lock_expires_after_the_lock_timeout() {
        lockPersonAndNeverUnlock();
        CacheRegionStatistics people = HibernateFixture.region(sessionFactory, Person.class);

        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        assertThat(sessionFactory.getCache().containsEntity(Person.class, 1L)).as("locked: the load may not cache")
                .isFalse();

        now.addAndGet(6_000);
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        assertThat(sessionFactory.getCache().containsEntity(Person.class, 1L)).as("the lock timed out").isTrue();
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        assertThat(people.getHitCount()).isEqualTo(1);
    }

    private void lockPersonAndNeverUnlock() {
        SessionFactoryImplementor factory = sessionFactory.unwrap(SessionFactoryImplementor.class);
        EntityPersister persister = factory.getMappingMetamodel().getEntityDescriptor(Person.class);
        EntityDataAccess access = persister.getCacheAccessStrategy();
        try (Session session = sessionFactory.openSession()) {
            Object key = access.generateCacheKey(1L, persister, factory, null);
            access.lockItem(session.unwrap(SharedSessionContractImplementor.class), key, 0);
        }
        sessionFactory.getStatistics().clear();
    }
}
