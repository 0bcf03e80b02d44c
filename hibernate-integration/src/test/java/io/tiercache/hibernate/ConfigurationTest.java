package io.tiercache.hibernate;

import io.tiercache.hibernate.model.Ledger;
import io.tiercache.hibernate.model.Country;
import org.hibernate.SessionFactory;
import org.hibernate.cache.CacheException;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class ConfigurationTest {

    @Test
    void the_factory_is_also_selected_by_class_name() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(AvailableSettings.CACHE_REGION_FACTORY, TierCacheRegionFactory.class.getName());
        try (SessionFactory sessionFactory = HibernateFixture.build(settings)) {
            assertThat(HibernateFixture.regionFactory(sessionFactory)).isInstanceOf(TierCacheRegionFactory.class);
        }
    }

    @Test
    void misspelled_and_foreign_cache_settings_are_reported_with_numbered_warnings() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put("hibernate.cache.tiercache.sql.urll", "jdbc:sqlite:x.db");
        settings.put("hibernate.cache.jcache.uri", "ehcache.xml");
        settings.put("hibernate.javax.cache.provider", "org.ehcache.jsr107.EhcacheCachingProvider");
        settings.put("hibernate.cache.use_qeury_cache", "true");
        settings.put("hibernate.cache.tiercache.region.io.tiercache.hibernate.model.Person.tll", "1m");
        settings.put(TierCacheSettings.REDIS_PREFIX, "app1:");
        settings.put(TierCacheSettings.REGION_PREFIX + "io.tiercache.hibernate.model.Pet.l3", "true");
        settings.put(AvailableSettings.USE_DIRECT_REFERENCE_CACHE_ENTRIES, "true");

        try (SessionFactory sessionFactory = HibernateFixture.build(settings)) {
            List<ConfigWarning> warnings = HibernateFixture.regionFactory(sessionFactory).configurationWarnings();

            assertThat(warnings).extracting(ConfigWarning::id, ConfigWarning::key).contains(
                    tuple(Warnings.UNKNOWN_TIERCACHE_KEY,
                            "hibernate.cache.tiercache.sql.urll"),
                    tuple(Warnings.OTHER_PROVIDER_KEY, "hibernate.cache.jcache.uri"),
                    tuple(Warnings.OTHER_PROVIDER_KEY, "hibernate.javax.cache.provider"),
                    tuple(Warnings.UNKNOWN_CACHE_KEY, "hibernate.cache.use_qeury_cache"),
                    tuple(Warnings.UNKNOWN_TIERCACHE_KEY,
                            "hibernate.cache.tiercache.region.io.tiercache.hibernate.model.Person.tll"),
                    tuple(Warnings.REDIS_PREFIX_WITHOUT_URL, TierCacheSettings.REDIS_PREFIX),
                    tuple(Warnings.L3_WITHOUT_SQL, TierCacheSettings.REGION_PREFIX + "io.tiercache.hibernate.model.Pet.l3"),
                    tuple(Warnings.REFERENCE_ENTRIES, AvailableSettings.USE_DIRECT_REFERENCE_CACHE_ENTRIES));
            assertThat(warnings).filteredOn(w -> w.key().endsWith("sql.urll")).singleElement()
                    .extracting(ConfigWarning::message).asString()
                    .contains("did you mean '" + TierCacheSettings.SQL_URL + "'");
            assertThat(warnings).filteredOn(w -> w.key().endsWith("use_qeury_cache")).singleElement()
                    .extracting(ConfigWarning::message).asString()
                    .contains("did you mean '" + AvailableSettings.USE_QUERY_CACHE + "'");
        }
    }

    @Test
    void configuration_warnings_are_logged_with_their_ids() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put("hibernate.cache.tiercache.sql.urll", "jdbc:sqlite:x.db");
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            HibernateFixture.build(settings).close();
        } finally {
            System.setErr(original);
        }

        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("WARN", Warnings.UNKNOWN_TIERCACHE_KEY, "hibernate.cache.tiercache.sql.urll");
    }

    @Test
    void strict_mode_refuses_to_start_with_a_misspelled_setting() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.STRICT, "true");
        settings.put("hibernate.cache.tiercache.sql.urll", "jdbc:sqlite:x.db");

        assertThatThrownBy(() -> HibernateFixture.build(settings).close())
                .rootCause()
                .isInstanceOf(TierCacheConfigurationException.class)
                .hasMessageContaining(Warnings.STRICT_FAILURE)
                .hasMessageContaining("hibernate.cache.tiercache.sql.urll");
    }

    @Test
    void strict_mode_starts_when_the_configuration_is_clean() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.STRICT, "true");
        settings.put(TierCacheSettings.TTL, "10m");
        try (SessionFactory sessionFactory = HibernateFixture.build(settings)) {
            assertThat(HibernateFixture.regionFactory(sessionFactory).configurationWarnings()).isEmpty();
        }
    }

    @Test
    void a_bad_value_fails_naming_the_setting() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.LOCK_TIMEOUT, "soon");

        assertThatThrownBy(() -> HibernateFixture.build(settings).close())
                .rootCause()
                .hasMessageContaining(Warnings.BAD_VALUE)
                .hasMessageContaining(TierCacheSettings.LOCK_TIMEOUT)
                .hasMessageContaining("'soon'");
    }

    @Test
    void a_bad_redis_url_fails_naming_the_setting() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.REDIS_URL, "http://localhost:6379");
        assertThatThrownBy(() -> HibernateFixture.build(settings).close())
                .hasStackTraceContaining(Warnings.BAD_VALUE + " setting " + TierCacheSettings.REDIS_URL)
                .hasStackTraceContaining("must start with redis://");
    }

    @Test
    void durable_writes_without_l3_are_refused_at_startup() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.DURABILITY, "durable");

        assertThatThrownBy(() -> HibernateFixture.build(settings).close())
                .rootCause()
                .hasMessageContaining(TierCacheSettings.DURABILITY)
                .hasMessageContaining("needs L3");
    }

    @Test
    void settings_can_come_from_a_properties_file_written_with_jcache_key_names() {
        Map<String, Object> settings = HibernateFixture.settings();
        settings.put(TierCacheSettings.CONFIG, "tiercache-test.properties");
        try (SessionFactory sessionFactory = HibernateFixture.build(settings)) {
            TierCacheRegionFactory factory = HibernateFixture.regionFactory(sessionFactory);
            assertThat(factory.engine().config().l1MaxBytes()).isEqualTo(8L << 20);
            assertThat(factory.getTimeout()).isEqualTo(30_000L << 12);
            assertThat(factory.configurationWarnings()).isEmpty();
        }
    }

    @Test
    void transactional_access_without_jta_fails_naming_the_entity() {
        assertThatThrownBy(() -> HibernateFixture.build(HibernateFixture.settings(),
                List.of(Country.class, Ledger.class)).close())
                .isInstanceOf(CacheException.class)
                .hasMessageContaining(Warnings.TRANSACTIONAL_WITHOUT_JTA)
                .hasMessageContaining(Ledger.class.getName())
                .hasMessageContaining("JTA");
    }
}
