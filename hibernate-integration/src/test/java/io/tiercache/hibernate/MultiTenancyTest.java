package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.hibernate.model.Account;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.context.spi.CurrentTenantIdentifierResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class MultiTenancyTest {
    private static final String REGION = Account.class.getName();

    private SessionFactory sessionFactory;

    @BeforeEach
    void start() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new FixedTenant());
        sessionFactory = HibernateFixture.build(settings, List.of(Account.class));
        inTenant("acme", session -> session.persist(new Account(1, "Acme Ltd")));
        inTenant("umbrella", session -> session.persist(new Account(2, "Umbrella Corp")));
        sessionFactory.getCache().evictAllRegions();
        sessionFactory.getStatistics().clear();
    }

    @AfterEach
    void stop() {
        sessionFactory.close();
    }

    @Test
    void an_entry_cached_for_one_tenant_is_never_served_to_another() {
        inTenant("acme", session -> assertThat(session.find(Account.class, 1L).holder).isEqualTo("Acme Ltd"));
        inTenant("acme", session -> assertThat(session.find(Account.class, 1L).holder).isEqualTo("Acme Ltd"));
        assertThat(HibernateFixture.region(sessionFactory, Account.class).getHitCount()).isEqualTo(1);

        inTenant("umbrella", session -> assertThat(session.find(Account.class, 1L)).isNull());
        inTenant("umbrella", session -> assertThat(session.find(Account.class, 2L).holder).isEqualTo("Umbrella Corp"));

        assertThat(HibernateFixture.region(sessionFactory, Account.class).getHitCount()).isEqualTo(1);
        SyncEngine engine = HibernateFixture.regionFactory(sessionFactory).engine();
        assertThat(engine.get(REGION + "/@acme/" + Account.class.getName() + "#1")).isPresent();
        assertThat(engine.get(REGION + "/@umbrella/" + Account.class.getName() + "#2")).isPresent();
        assertThat(engine.scanPrefix(REGION + "/@umbrella/", 10)).hasSize(1);
    }

    private void inTenant(String tenant, Consumer<Session> work) {
        try (Session session = sessionFactory.withOptions().tenantIdentifier((Object) tenant).openSession()) {
            session.getTransaction().begin();
            work.accept(session);
            session.getTransaction().commit();
        }
    }

    /** Sessions here always name their tenant; this only satisfies Hibernate's bootstrap. */
    static final class FixedTenant implements CurrentTenantIdentifierResolver<String> {
        @Override
        public String resolveCurrentTenantIdentifier() {
            return "acme";
        }

        @Override
        public boolean validateExistingCurrentSessions() {
            return false;
        }
    }
}
