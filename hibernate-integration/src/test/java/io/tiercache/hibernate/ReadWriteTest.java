package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.hibernate.codec.RwItem;
import io.tiercache.hibernate.internal.EngineStorage;
import io.tiercache.hibernate.internal.TierDomainDataRegion;
import io.tiercache.hibernate.model.Country;
import io.tiercache.hibernate.model.Note;
import io.tiercache.hibernate.model.Person;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.CacheRegionStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadWriteTest {
    private static final String PERSON_ID = Person.class.getName() + "/" + Person.class.getName() + "#1";

    private SessionFactory sessionFactory;
    private CacheRegionStatistics people;

    @BeforeEach
    void start() {
        sessionFactory = HibernateFixture.build();
        sessionFactory.inTransaction(session -> {
            session.persist(new Person(1, "ada@example.com", "Ada"));
            session.persist(new Country("GB", "United Kingdom"));
            session.persist(new Note(1, "first"));
        });
        sessionFactory.getCache().evictAllRegions();
        sessionFactory.getStatistics().clear();
        people = HibernateFixture.region(sessionFactory, Person.class);
    }

    @AfterEach
    void stop() {
        sessionFactory.close();
    }

    @Test
    void an_update_is_seen_by_the_next_session_from_the_cache() {
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L).name = "Ada King");
        long hitsBefore = people.getHitCount();

        Person reread = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));

        assertThat(reread.name).isEqualTo("Ada King");
        assertThat(reread.version).isEqualTo(1);
        assertThat(people.getHitCount()).isEqualTo(hitsBefore + 1);
    }

    @Test
    void a_rolled_back_update_leaves_no_soft_lock_behind() {
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        sessionFactory.inSession(session -> {
            session.getTransaction().begin();
            session.find(Person.class, 1L).name = "never committed";
            session.flush();
            session.getTransaction().rollback();
        });
        long putsBefore = people.getPutCount();

        sessionFactory.inTransaction(session -> assertThat(session.find(Person.class, 1L).name).isEqualTo("Ada"));
        assertThat(people.getPutCount()).as("the next load caches again").isEqualTo(putsBefore + 1);
        long hitsBefore = people.getHitCount();
        sessionFactory.inTransaction(session -> assertThat(session.find(Person.class, 1L).name).isEqualTo("Ada"));
        assertThat(people.getHitCount()).isEqualTo(hitsBefore + 1);
        assertThat(storedEntry(PERSON_ID)).isInstanceOf(RwItem.class);
    }

    @Test
    void a_deleted_entity_is_gone_from_the_cache() {
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        sessionFactory.inTransaction(session -> session.remove(session.find(Person.class, 1L)));

        Person gone = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));
        assertThat(gone).isNull();
        assertThat(sessionFactory.getCache().containsEntity(Person.class, 1L)).isFalse();
    }

    @Test
    void hibernate_refuses_to_update_a_read_only_entity() {
        sessionFactory.inTransaction(session -> session.find(Country.class, "GB"));
        assertThat(sessionFactory.getCache().containsEntity(Country.class, "GB")).isTrue();

        assertThatThrownBy(() -> sessionFactory.inTransaction(session ->
                session.find(Country.class, "GB").name = "Britain"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageMatching(".*read-?only.*");
    }

    @Test
    void a_nonstrict_entity_is_evicted_on_update_and_cached_again() {
        sessionFactory.inTransaction(session -> session.find(Note.class, 1L));
        sessionFactory.inTransaction(session -> session.find(Note.class, 1L).text = "second");

        Note reread = sessionFactory.fromTransaction(session -> session.find(Note.class, 1L));
        assertThat(reread.text).isEqualTo("second");
        assertThat(sessionFactory.getCache().containsEntity(Note.class, 1L)).isTrue();
    }

    @Test
    void evicting_a_region_deletes_its_entries_from_the_engine() {
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        SyncEngine engine = HibernateFixture.regionFactory(sessionFactory).engine();
        assertThat(engine.get(PERSON_ID)).isPresent();

        sessionFactory.getCache().evictEntityData(Person.class);

        assertThat(engine.get(PERSON_ID)).isEmpty();
    }

    private Object storedEntry(String id) {
        SyncEngine engine = HibernateFixture.regionFactory(sessionFactory).engine();
        TierDomainDataRegion region = (TierDomainDataRegion) sessionFactory.unwrap(SessionFactoryImplementor.class)
                .getCache().getRegion(Person.class.getName());
        EngineStorage storage = region.storage();
        try {
            return storage.codec().decode(engine.get(id).orElseThrow().payload());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
