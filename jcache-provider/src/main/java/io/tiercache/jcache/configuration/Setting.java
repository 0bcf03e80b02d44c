package io.tiercache.jcache.configuration;

import java.util.Locale;
import java.util.Optional;

/**
 * Every {@code tiercache.*} key a CacheManager reads, with its default. {@code tiercache-reference.properties}
 * documents the same list; a test keeps the two in step.
 *
 * <pre>{@code
 * Properties properties = new Properties();
 * properties.setProperty(Setting.SQL_ENABLED.key(), "false");   // tiercache.sql.enabled
 * Setting.SQL_URL.environmentVariable();                         // "TIERCACHE_SQL_URL"
 * }</pre>
 */
public enum Setting {
    REDIS_URL("tiercache.redis.url", null),
    REDIS_PREFIX("tiercache.redis.prefix", "tc:"),
    SQL_ENABLED("tiercache.sql.enabled", "true"),
    SQL_URL("tiercache.sql.url", null),
    SQL_USERNAME("tiercache.sql.username", null),
    SQL_PASSWORD("tiercache.sql.password", null),
    DATA_DIR("tiercache.data-dir", "tiercache-data"),
    L1_MAX_BYTES("tiercache.l1.max-bytes", "256MB"),
    DURABILITY("tiercache.durability", "MEMORY"),
    SERIALIZATION_ALLOWLIST("tiercache.serialization.allowlist", ""),
    ON_CREATE("tiercache.cache.on-create", "EMPTY"),
    EVENTS_REMOTE("tiercache.events.remote", "false"),
    TIME_SOURCE("tiercache.time-source", "system");

    private final String key;
    private final String defaultValue;

    Setting(String key, String defaultValue) {
        this.key = key;
        this.defaultValue = defaultValue;
    }

    public String key() {
        return key;
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** The environment variable that overrides this key: {@code tiercache.sql.url} is {@code TIERCACHE_SQL_URL}. */
    public String environmentVariable() {
        return toEnvironmentVariable(key);
    }

    static String toEnvironmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static Optional<Setting> byKey(String key) {
        for (Setting setting : values()) {
            if (setting.key.equals(key)) {
                return Optional.of(setting);
            }
        }
        return Optional.empty();
    }

    public static Optional<Setting> byEnvironmentVariable(String name) {
        for (Setting setting : values()) {
            if (setting.environmentVariable().equals(name)) {
                return Optional.of(setting);
            }
        }
        return Optional.empty();
    }
}
