package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.hibernate.internal.TierDomainDataRegion;
import io.tiercache.hibernate.model.Note;
import io.tiercache.hibernate.model.Person;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.CacheRegionStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What another process (or a bug) writes under a cache key must never reach Hibernate. */
class DecodeFailureTest {
    private static final String PERSON_ID = Person.class.getName() + "/" + Person.class.getName() + "#1";
    private static final String NOTE_ID = Note.class.getName() + "/" + Note.class.getName() + "#1";

    private SessionFactory sessionFactory;
    private SyncEngine engine;

    @BeforeEach
    void start() {
        sessionFactory = HibernateFixture.build();
        sessionFactory.inTransaction(session -> {
            session.persist(new Person(1, "ada@example.com", "Ada"));
            session.persist(new Note(1, "first"));
        });
        sessionFactory.getCache().evictAllRegions();
        sessionFactory.getStatistics().clear();
        engine = HibernateFixture.regionFactory(sessionFactory).engine();
    }

    @AfterEach
    void stop() {
        sessionFactory.close();
    }

    @Test
    void garbage_under_a_read_write_key_is_a_miss_and_is_replaced_by_the_next_load() {
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        engine.submit(PERSON_ID, "{\"not\":\"a cache entry\"}".getBytes(StandardCharsets.UTF_8)).join();
        CacheRegionStatistics people = HibernateFixture.region(sessionFactory, Person.class);
        long missesBefore = people.getMissCount();

        Person loaded = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));

        assertThat(loaded.name).isEqualTo("Ada");
        assertThat(people.getMissCount()).isEqualTo(missesBefore + 1);
        assertThat(storage(Person.class).decodeFailures()).isEqualTo(1);
        long hitsBefore = people.getHitCount();
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        assertThat(people.getHitCount()).as("the garbage was replaced by a good entry").isEqualTo(hitsBefore + 1);
    }

    @Test
    void garbage_under_a_nonstrict_key_is_a_miss_and_is_evicted() {
        sessionFactory.inTransaction(session -> session.find(Note.class, 1L));
        engine.submit(NOTE_ID, new byte[] {'T', 1, 'E', 0, 0, 0, 99}).join();

        assertThat(sessionFactory.getCache().containsEntity(Note.class, 1L)).isFalse();
        assertThat(engine.get(NOTE_ID)).as("evicted").isEmpty();
        assertThat(storage(Note.class).decodeFailures()).isEqualTo(1);
        Note loaded = sessionFactory.fromTransaction(session -> session.find(Note.class, 1L));
        assertThat(loaded.text).isEqualTo("first");
    }

    @Test
    void an_entry_written_for_another_schema_is_a_miss() throws Exception {
        sessionFactory.inTransaction(session -> session.find(Note.class, 1L));
        byte[] payload = engine.get(NOTE_ID).orElseThrow().payload();
        // 'T' 1 'E', then the subclass name (length + UTF-8), then the 8-byte fingerprint
        int fingerprintAt = 3 + 4 + Note.class.getName().getBytes(StandardCharsets.UTF_8).length;
        payload[fingerprintAt] ^= 0x5A;
        engine.submit(NOTE_ID, payload).join();

        Note loaded = sessionFactory.fromTransaction(session -> session.find(Note.class, 1L));

        assertThat(loaded.text).isEqualTo("first");
        assertThat(storage(Note.class).decodeFailures()).isEqualTo(1);
        assertThat(HibernateFixture.region(sessionFactory, Note.class).getMissCount()).isEqualTo(2);
    }

    private io.tiercache.hibernate.internal.EngineStorage storage(Class<?> entity) {
        return ((TierDomainDataRegion) sessionFactory.unwrap(SessionFactoryImplementor.class).getCache()
                .getRegion(entity.getName())).storage();
    }
}
