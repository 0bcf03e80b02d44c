package io.tiercache.samples.hibernate;

import org.hibernate.cfg.AvailableSettings;

import java.util.List;
import java.util.Map;

/**
 * Where the two-node sample keeps its data: MariaDB for the application (a database of its own, created if missing)
 * and Redis as the shared L2 under a key prefix of its own. Both nodes use the same settings.
 */
record TwoNodeSettings(String redisUrl, String redisPrefix, String jdbcUrl, String user) {
    /** The machine's services as {@code scripts/services.sh} starts them. */
    static TwoNodeSettings local() {
        return new TwoNodeSettings("redis://127.0.0.1:6379", "tiercache-sample:",
                "jdbc:mariadb://127.0.0.1:3306/tiercache_sample?createDatabaseIfNotExist=true", "root");
    }

    /** The command-line form, for the second JVM. */
    List<String> asArguments() {
        return List.of(redisUrl, redisPrefix, jdbcUrl, user);
    }

    static TwoNodeSettings fromArguments(List<String> args) {
        return new TwoNodeSettings(args.get(0), args.get(1), args.get(2), args.get(3));
    }

    Map<String, Object> hibernate(boolean createsSchema) {
        Map<String, Object> settings = SampleHibernate.cacheSettings();
        settings.put(AvailableSettings.JAKARTA_JDBC_URL, jdbcUrl);
        settings.put(AvailableSettings.JAKARTA_JDBC_USER, user);
        settings.put(AvailableSettings.JAKARTA_JDBC_PASSWORD, "");
        // node A (re)creates the table; node B joins the existing schema
        settings.put(AvailableSettings.HBM2DDL_AUTO, createsSchema ? "create" : "none");
        settings.put("hibernate.cache.tiercache.redis.url", redisUrl);
        settings.put("hibernate.cache.tiercache.redis.prefix", redisPrefix);
        return settings;
    }
}
