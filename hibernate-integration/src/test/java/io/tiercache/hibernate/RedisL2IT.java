package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.chaos.PrivateRedis;
import io.tiercache.hibernate.model.Country;
import io.tiercache.hibernate.model.Person;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second-level cache with Redis as L2: what one SessionFactory caches another one (another node) reads from
 * Redis, and Redis being unreachable, at startup or mid-run, never breaks the application.
 */
class RedisL2IT {
    private final SharedRedisPrefix redis = new SharedRedisPrefix();

    @AfterEach
    void deleteKeys() {
        redis.close();
    }

    /** Two nodes of one application: one database, one Redis, one key prefix, each its own engine and L1. */
    private Map<String, Object> node(String database, boolean createsSchema, String redisUrl, String prefix) {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(AvailableSettings.JAKARTA_JDBC_URL, "jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1");
        settings.put(AvailableSettings.HBM2DDL_AUTO, createsSchema ? "create" : "none");
        settings.put(TierCacheSettings.REDIS_URL, redisUrl);
        settings.put(TierCacheSettings.REDIS_PREFIX, prefix);
        settings.put(TierCacheSettings.STRICT, "true");
        return settings;
    }

    @Test
    void an_entity_cached_by_one_session_factory_is_a_second_level_hit_on_another() {
        String database = "redis-shared-" + System.nanoTime();
        try (SessionFactory nodeA = HibernateFixture.build(node(database, true, SharedRedisPrefix.SHARED_URL, redis.prefix()));
             SessionFactory nodeB = HibernateFixture.build(node(database, false, SharedRedisPrefix.SHARED_URL, redis.prefix()))) {
            SyncEngine engineA = HibernateFixture.regionFactory(nodeA).engine();
            SyncEngine engineB = HibernateFixture.regionFactory(nodeB).engine();
            assertThat(engineA).isNotSameAs(engineB);
            assertThat(engineA.config().redisUrl()).isEqualTo(SharedRedisPrefix.SHARED_URL);
            assertThat(engineA.config().sqlEnabled()).as("L3 stays opt-in").isFalse();

            nodeA.inTransaction(session -> {
                session.persist(new Person(1, "ada@example.com", "Ada"));
                session.persist(new Country("FR", "France"));
            });
            nodeA.inTransaction(session -> session.find(Country.class, "FR"));
            engineA.forceFlush().join();
            assertThat(redis.count()).as("keys node A wrote under its prefix").isPositive();

            long l2HitsBefore = engineB.stats().l2Hits();
            Person ada = nodeB.fromTransaction(session -> session.find(Person.class, 1L));
            Country france = nodeB.fromTransaction(session -> session.find(Country.class, "FR"));

            assertThat(ada.name).isEqualTo("Ada");
            assertThat(france.name).isEqualTo("France");
            assertThat(HibernateFixture.region(nodeB, Person.class).getHitCount()).isEqualTo(1);
            assertThat(HibernateFixture.region(nodeB, Country.class).getHitCount()).isEqualTo(1);
            assertThat(nodeB.getStatistics().getEntityLoadCount()).as("entities node B loaded with SQL").isZero();
            // at least the two entities; Hibernate may read other entries (such as update timestamps) as well
            assertThat(engineB.stats().l2Hits() - l2HitsBefore).as("reads node B's engine served from Redis")
                    .isGreaterThanOrEqualTo(2);
            assertThat(HibernateFixture.region(nodeB, Person.class).getElementCountOnDisk())
                    .as("entries counted in the shared tier").isEqualTo(1);
        }
    }

    @Test
    void the_application_works_on_its_database_when_redis_is_unreachable_from_the_start() throws IOException {
        String url = "redis://127.0.0.1:" + freePort();
        try (SessionFactory sessionFactory = HibernateFixture.build(node("redis-down-" + System.nanoTime(), true,
                url, redis.prefix()))) {
            sessionFactory.inTransaction(session -> session.persist(new Person(1, "ada@example.com", "Ada")));
            HibernateFixture.regionFactory(sessionFactory).engine().clearL1();

            Person ada = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));
            sessionFactory.inTransaction(session -> session.find(Person.class, 1L).name = "Ada L.");
            int updated = sessionFactory.fromTransaction(session -> session
                    .createMutationQuery("update Person set name = 'Ada Lovelace' where id = 1").executeUpdate());
            Person renamed = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));

            assertThat(ada.name).isEqualTo("Ada");
            assertThat(updated).isEqualTo(1);
            assertThat(renamed.name).isEqualTo("Ada Lovelace");
            assertThat(HibernateFixture.region(sessionFactory, Person.class).getElementCountOnDisk())
                    .as("unknown while Redis is down, not an exception").isEqualTo(-1);
            assertThat(sessionFactory.getStatistics().getEntityLoadCount()).isPositive();
        }
    }

    @Test
    void the_application_keeps_working_when_redis_dies_mid_run() throws Exception {
        try (PrivateRedis privateRedis = PrivateRedis.start();
             SessionFactory sessionFactory = HibernateFixture.build(node("redis-dies-" + System.nanoTime(), true,
                     privateRedis.url(), redis.prefix()))) {
            SyncEngine engine = HibernateFixture.regionFactory(sessionFactory).engine();
            sessionFactory.inTransaction(session -> session.persist(new Person(1, "ada@example.com", "Ada")));
            engine.forceFlush().join();

            privateRedis.kill9();
            engine.clearL1();

            Person ada = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));
            sessionFactory.inTransaction(session -> session.find(Person.class, 1L).name = "Ada L.");
            Person renamed = sessionFactory.fromTransaction(session -> session.find(Person.class, 1L));
            sessionFactory.inTransaction(session -> session.persist(new Person(2, "grace@example.com", "Grace")));
            Person grace = sessionFactory.fromTransaction(session ->
                    session.bySimpleNaturalId(Person.class).load("grace@example.com"));

            assertThat(ada.name).isEqualTo("Ada");
            assertThat(renamed.name).isEqualTo("Ada L.");
            assertThat(grace.id).isEqualTo(2L);
        }
    }

    private static int freePort() throws IOException {
        // bound and released at once: nobody listens there while the test runs
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
