package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.hibernate.model.Person;
import io.tiercache.hibernate.model.Pet;
import org.hibernate.SessionFactory;
import org.hibernate.stat.CacheRegionStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

class EntityCachingTest {
    private SessionFactory sessionFactory;

    @BeforeEach
    void start() {
        sessionFactory = HibernateFixture.build();
        sessionFactory.inTransaction(session -> {
            Person ada = new Person(1, "ada@example.com", "Ada");
            session.persist(ada);
            session.persist(new Pet(10, "Babbage", ada));
            session.persist(new Pet(11, "Lovelace", ada));
        });
        sessionFactory.getCache().evictAllRegions();
        sessionFactory.getStatistics().clear();
    }

    @AfterEach
    void stop() {
        sessionFactory.close();
    }

    @Test
    void the_short_name_selects_the_tiercache_region_factory() {
        assertThat(HibernateFixture.regionFactory(sessionFactory)).isInstanceOf(TierCacheRegionFactory.class);
        assertThat(HibernateFixture.regionFactory(sessionFactory).configurationWarnings()).isEmpty();
    }

    @Test
    void an_entity_loaded_once_is_a_hit_in_the_next_session() {
        CacheRegionStatistics region = HibernateFixture.region(sessionFactory, Person.class);

        Person first = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));
        assertThat(region.getMissCount()).isEqualTo(1);
        assertThat(region.getPutCount()).isEqualTo(1);

        Person second = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));
        assertThat(region.getHitCount()).isEqualTo(1);
        assertThat(region.getMissCount()).isEqualTo(1);
        assertThat(second.name).isEqualTo("Ada");
        assertThat(second.born).isEqualTo(LocalDate.of(1815, 12, 10));
        assertThat(second.balance).isEqualTo(new BigDecimal("12.50"));
        assertThat(second.mood).isEqualTo(Person.Mood.CURIOUS);
        assertThat(second.version).isEqualTo(first.version);
    }

    @Test
    void entries_are_stored_under_readable_ids() {
        sessionFactory.inTransaction(session -> session.find(Person.class, 1L));

        SyncEngine engine = HibernateFixture.regionFactory(sessionFactory).engine();
        String region = Person.class.getName();
        assertThat(engine.get(region + "/" + Person.class.getName() + "#1")).isPresent();
        assertThat(engine.scanPrefix(region + "/", 10)).hasSize(1);
    }

    @Test
    void a_collection_loaded_once_is_a_hit_in_the_next_session() {
        String role = Person.class.getName() + ".pets";
        CacheRegionStatistics pets = sessionFactory.getStatistics().getDomainDataRegionStatistics(role);

        sessionFactory.inTransaction(session -> assertThat(session.find(Person.class, 1L).pets).hasSize(2));
        assertThat(pets.getMissCount()).isEqualTo(1);
        assertThat(pets.getPutCount()).isEqualTo(1);

        sessionFactory.inTransaction(session -> assertThat(session.find(Person.class, 1L).pets)
                .extracting(pet -> pet.name).containsExactlyInAnyOrder("Babbage", "Lovelace"));
        assertThat(pets.getHitCount()).isEqualTo(1);
    }

    @Test
    void a_natural_id_lookup_is_a_hit_in_the_next_session() {
        sessionFactory.inTransaction(session -> session.bySimpleNaturalId(Person.class).load("ada@example.com"));
        sessionFactory.inTransaction(session -> {
            Person ada = session.bySimpleNaturalId(Person.class).load("ada@example.com");
            assertThat(ada.name).isEqualTo("Ada");
        });

        assertThat(sessionFactory.getStatistics().getNaturalIdStatistics(Person.class.getName()).getCacheHitCount())
                .isEqualTo(1);
    }

    @Test
    void region_statistics_report_element_counts_and_sizes() {
        sessionFactory.inTransaction(session -> {
            session.find(Person.class, 1L);
            session.find(Pet.class, 10L);
            session.find(Pet.class, 11L);
        });

        CacheRegionStatistics pets = HibernateFixture.region(sessionFactory, Pet.class);
        assertThat(pets.getElementCountInMemory()).isEqualTo(2);
        assertThat(pets.getElementCountOnDisk()).isZero();
        assertThat(pets.getSizeInMemory()).isPositive();
    }
}
