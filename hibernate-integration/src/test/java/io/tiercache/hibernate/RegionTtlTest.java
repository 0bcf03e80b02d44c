package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.hibernate.model.Note;
import io.tiercache.hibernate.model.Person;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A region's own ttl overrides the default one; both run on the engine's clock. */
class RegionTtlTest {
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private SyncEngine engine;
    private SessionFactory sessionFactory;

    @BeforeEach
    void start() {
        engine = SyncEngine.start(SyncEngineConfig.builder().sqlEnabled(false).timeSource(now::get).build());
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.ENGINE, engine);
        settings.put(TierCacheSettings.TTL, "1h");
        settings.put(TierCacheSettings.REGION_PREFIX + Note.class.getName() + ".ttl", "10s");
        sessionFactory = HibernateFixture.build(settings);
        sessionFactory.inTransaction(session -> {
            session.persist(new Person(1, "ada@example.com", "Ada"));
            session.persist(new Note(1, "first"));
        });
        sessionFactory.getCache().evictAllRegions();
        sessionFactory.inTransaction(session -> {
            session.find(Person.class, 1L);
            session.find(Note.class, 1L);
        });
    }

    @AfterEach
    void stop() {
        sessionFactory.close();
        engine.shutdown();
    }

    @Test
    void entries_expire_after_their_region_ttl() {
        now.addAndGet(11_000);
        assertThat(sessionFactory.getCache().containsEntity(Note.class, 1L)).as("region ttl 10s").isFalse();
        assertThat(sessionFactory.getCache().containsEntity(Person.class, 1L)).as("default ttl 1h").isTrue();

        now.addAndGet(3_600_000);
        assertThat(sessionFactory.getCache().containsEntity(Person.class, 1L)).isFalse();
    }
}
