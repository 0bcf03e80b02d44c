package io.tiercache.hibernate;

import io.tiercache.hibernate.model.Person;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** L3 is opt-in: with SQL settings, cached entries outlive the SessionFactory (and are shared with other nodes). */
class L3OptInTest {

    @Test
    void without_sql_settings_the_engine_runs_in_memory_only() {
        try (SessionFactory sessionFactory = HibernateFixture.build()) {
            assertThat(HibernateFixture.regionFactory(sessionFactory).engine().config().sqlEnabled()).isFalse();
        }
    }

    @Test
    void with_an_sql_url_entries_survive_a_restart_through_l3(@TempDir Path dataDir) {
        Map<String, Object> first = HibernateFixture.settings();
        first.put(AvailableSettings.HBM2DDL_AUTO, "create");
        first.put(TierCacheSettings.DATA_DIR, dataDir.toString());
        first.put(TierCacheSettings.SQL_URL, "jdbc:sqlite:" + dataDir.resolve("l3.db"));
        try (SessionFactory sessionFactory = HibernateFixture.build(first)) {
            assertThat(HibernateFixture.regionFactory(sessionFactory).engine().config().sqlEnabled()).isTrue();
            sessionFactory.inTransaction(session -> session.persist(new Person(1, "ada@example.com", "Ada")));
            sessionFactory.getCache().evictAllRegions();
            sessionFactory.inTransaction(session -> session.find(Person.class, 1L));
        }

        Map<String, Object> second = HibernateFixture.settings();
        second.putAll(first);
        second.put(AvailableSettings.HBM2DDL_AUTO, "none");
        try (SessionFactory sessionFactory = HibernateFixture.build(second)) {
            Person ada = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));

            assertThat(ada.name).isEqualTo("Ada");
            assertThat(HibernateFixture.region(sessionFactory, Person.class).getHitCount()).isEqualTo(1);
            assertThat(HibernateFixture.region(sessionFactory, Person.class).getElementCountOnDisk()).isEqualTo(1);
            assertThat(HibernateFixture.regionFactory(sessionFactory).configurationWarnings()).isEmpty();
        }
    }
}
