package io.tiercache.hibernate;

import io.tiercache.hibernate.model.Person;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.cache.spi.entry.CacheEntry;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The READ_WRITE protocol step by step, the way interleaved transactions drive it. */
class SoftLockProtocolTest {
    private SessionFactory sessionFactory;
    private SessionFactoryImplementor factory;
    private EntityPersister persister;
    private EntityDataAccess access;
    private Object key;

    @BeforeEach
    void start() {
        sessionFactory = HibernateFixture.build();
        sessionFactory.inTransaction(session -> session.persist(new Person(1, "ada@example.com", "Ada")));
        sessionFactory.getCache().evictAllRegions();
        factory = sessionFactory.unwrap(SessionFactoryImplementor.class);
        persister = factory.getMappingMetamodel().getEntityDescriptor(Person.class);
        access = persister.getCacheAccessStrategy();
        key = access.generateCacheKey(1L, persister, factory, null);
    }

    @AfterEach
    void stop() {
        sessionFactory.close();
    }

    @Test
    void a_load_that_started_before_an_update_committed_cannot_cache_the_old_state() {
        try (Session reader = sessionFactory.openSession(); Session writer = sessionFactory.openSession()) {
            CacheEntry old = entry(reader, "Ada", 0);
            SoftLock lock = access.lockItem(implementor(writer), key, 0);

            assertThat(access.putFromLoad(implementor(reader), key, old, 0)).as("locked").isFalse();
            assertThat(access.afterUpdate(implementor(writer), key, entry(writer, "Ada King", 1), 1, 0, lock)).isTrue();
            assertThat(access.putFromLoad(implementor(reader), key, old, 0)).as("older version").isFalse();
        }
        try (Session later = sessionFactory.openSession()) {
            CacheEntry cached = (CacheEntry) access.get(implementor(later), key);
            assertThat(cached.getVersion()).isEqualTo(1);
        }
    }

    @Test
    void an_update_after_a_rolled_back_one_caches_its_new_state() {
        try (Session rolledBack = sessionFactory.openSession()) {
            SoftLock lock = access.lockItem(implementor(rolledBack), key, 0);
            access.unlockItem(implementor(rolledBack), key, lock);
        }
        try (Session committed = sessionFactory.openSession()) {
            SoftLock lock = access.lockItem(implementor(committed), key, 0);
            assertThat(access.afterUpdate(implementor(committed), key, entry(committed, "Ada King", 1), 1, 0, lock))
                    .as("the rollback's marker is not a concurrent change").isTrue();
        }
        try (Session later = sessionFactory.openSession()) {
            assertThat(((CacheEntry) access.get(implementor(later), key)).getVersion()).isEqualTo(1);
        }
    }

    @Test
    void concurrent_updates_leave_no_value_and_release_only_with_their_handle() {
        try (Session first = sessionFactory.openSession(); Session second = sessionFactory.openSession()) {
            SoftLock firstLock = access.lockItem(implementor(first), key, 0);
            SoftLock secondLock = access.lockItem(implementor(second), key, 0);

            assertThat(access.afterUpdate(implementor(first), key, entry(first, "one", 1), 1, 0, firstLock))
                    .as("another transaction holds the lock too: its outcome is unknown").isFalse();
            access.unlockItem(implementor(second), key, new SoftLock() { });
            try (Session during = sessionFactory.openSession()) {
                assertThat(access.putFromLoad(implementor(during), key, entry(during, "x", 1), 1))
                        .as("a foreign handle released nothing").isFalse();
            }
            access.unlockItem(implementor(second), key, secondLock);
        }
        try (Session later = sessionFactory.openSession()) {
            assertThat(access.get(implementor(later), key)).isNull();
            assertThat(access.putFromLoad(implementor(later), key, entry(later, "Ada King", 2), 2)).isTrue();
        }
    }

    private CacheEntry entry(Session session, String name, int version) {
        Person person = new Person(1, "ada@example.com", name);
        person.version = version;
        return persister.buildCacheEntry(person, persister.getValues(person), version,
                implementor(session));
    }

    private static SharedSessionContractImplementor implementor(Session session) {
        return session.unwrap(SharedSessionContractImplementor.class);
    }
}
