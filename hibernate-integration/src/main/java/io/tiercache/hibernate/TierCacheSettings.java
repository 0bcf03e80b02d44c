package io.tiercache.hibernate;

import java.util.List;

/**
 * The {@code hibernate.cache.tiercache.*} settings. Key names after the prefix match the JCache provider's
 * {@code tiercache.*} keys, so one properties file can configure both; {@link #CONFIG} names such a file (a file
 * path or a class-path resource, keys written either as {@code tiercache.<key>} or in full). Hibernate settings
 * override the file. Every key, with its default, is listed in {@code tiercache-hibernate-reference.properties}.
 *
 * <pre>{@code
 * hibernate.cache.region.factory_class=tiercache
 * hibernate.cache.tiercache.l1.max-bytes=64MiB
 * hibernate.cache.tiercache.region.com.acme.Person.ttl=10m
 * hibernate.cache.tiercache.strict=true
 * }</pre>
 */
public final class TierCacheSettings {
    public static final String PREFIX = "hibernate.cache.tiercache.";
    /** Properties file with more settings. */
    public static final String CONFIG = PREFIX + "config";
    /** Engine data folder (the local WAL and the default SQLite L3 live here). */
    public static final String DATA_DIR = PREFIX + "data-dir";
    /** Whether the engine opens L3; default true when {@code sql.url} is set, else false. */
    public static final String SQL_ENABLED = PREFIX + "sql.enabled";
    public static final String SQL_URL = PREFIX + "sql.url";
    public static final String SQL_USERNAME = PREFIX + "sql.username";
    public static final String SQL_PASSWORD = PREFIX + "sql.password";
    /** L1 memory budget in bytes; units {@code KiB MiB GiB} (also {@code k m g}) accepted. */
    public static final String L1_MAX_BYTES = PREFIX + "l1.max-bytes";
    /** MEMORY (default), LOCAL_WAL or DURABLE; the last two need L3. */
    public static final String DURABILITY = PREFIX + "durability";
    /**
     * Redis URL of the shared L2 tier ({@code redis://}, {@code rediss://}, {@code redis-sentinel://},
     * {@code redis-cluster://host:port,host:port} or {@code rediss-cluster://}; see the engine's
     * {@code SyncEngineConfig#redisUrl}); regions then write to L1 + L2. Unset: no L2. Redis may be down at startup
     * or later: reads then miss and go to the database.
     */
    public static final String REDIS_URL = PREFIX + "redis.url";
    /** Prefix of every Redis key the engine writes, so applications can share a Redis; default {@code tc:}. */
    public static final String REDIS_PREFIX = PREFIX + "redis.prefix";
    /** Fail at startup, instead of warning, on unknown or misspelled cache settings. */
    public static final String STRICT = PREFIX + "strict";
    /** How long a READ_WRITE soft lock holds before loads may replace it; default 60s. */
    public static final String LOCK_TIMEOUT = PREFIX + "lock-timeout";
    /** Time to live of cached entries for every region without its own; default none. */
    public static final String TTL = PREFIX + "ttl";
    /** Whether regions write to L3 too; default: whether the engine has L3. */
    public static final String L3 = PREFIX + "l3";
    /** Classes allowed to be Java-serialized into the store ({@code com.acme.Money, com.acme.geo.*}). */
    public static final String SERIALIZATION_ALLOWLIST = PREFIX + "serialization.allowlist";
    /** A running {@code SyncEngine} instance to use (not a string); it is not shut down with Hibernate. */
    public static final String ENGINE = PREFIX + "engine";
    /** Per-region overrides: {@code region.<region name>.ttl} and {@code region.<region name>.l3}. */
    public static final String REGION_PREFIX = PREFIX + "region.";
    public static final List<String> REGION_SETTINGS = List.of("ttl", "l3");

    /** Every plain key (without the per-region ones). */
    public static final List<String> KEYS = List.of(CONFIG, DATA_DIR, SQL_ENABLED, SQL_URL, SQL_USERNAME,
            SQL_PASSWORD, L1_MAX_BYTES, DURABILITY, REDIS_URL, REDIS_PREFIX, STRICT, LOCK_TIMEOUT, TTL, L3,
            SERIALIZATION_ALLOWLIST, ENGINE);

    /** The short name registered for {@code hibernate.cache.region.factory_class}. */
    public static final String SHORT_NAME = "tiercache";

    private TierCacheSettings() {
    }
}
