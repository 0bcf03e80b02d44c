package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.hibernate.model.Person;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With the cache unreachable the application keeps reading from its database. */
class EngineOutageTest {

    @Test
    void reads_fall_back_to_the_database_when_the_engine_is_gone() {
        SyncEngine engine = SyncEngine.start(SyncEngineConfig.builder().sqlEnabled(false).build());
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.ENGINE, engine);
        try (SessionFactory sessionFactory = HibernateFixture.build(settings)) {
            sessionFactory.inTransaction(session -> session.persist(new Person(1, "ada@example.com", "Ada")));
            sessionFactory.inTransaction(session -> session.find(Person.class, 1L));

            engine.shutdown();

            Person ada = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));
            assertThat(ada.name).isEqualTo("Ada");
            Person byEmail = sessionFactory.fromTransaction(session ->
                    session.bySimpleNaturalId(Person.class).load("ada@example.com"));
            assertThat(byEmail.id).isEqualTo(1L);
            assertThat(HibernateFixture.region(sessionFactory, Person.class).getMissCount()).isPositive();
        }
    }
}
