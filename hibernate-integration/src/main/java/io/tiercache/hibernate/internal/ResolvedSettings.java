package io.tiercache.hibernate.internal;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.Tier;
import io.tiercache.hibernate.ConfigWarning;
import io.tiercache.hibernate.TierCacheConfigurationException;
import io.tiercache.hibernate.TierCacheSettings;
import io.tiercache.hibernate.Warnings;
import io.tiercache.hibernate.codec.SerializationAllowlist;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tiercache settings of one SessionFactory, read once at startup and frozen: what engine to run, how each
 * region writes, and every configuration warning found. Bad values fail at once with the key named.
 */
public final class ResolvedSettings {
    private static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, String> settings;
    private final SyncEngine injectedEngine;
    private final SyncEngineConfig engineConfig;
    private final boolean sqlEnabled;
    private final boolean strict;
    private final Duration lockTimeout;
    private final SerializationAllowlist allowlist;
    private final List<ConfigWarning> warnings;
    private final List<ConfigWarning> strictProblems;

    private ResolvedSettings(Map<String, Object> configValues, ClassLoader loader) {
        this.settings = SettingsSources.merge(configValues, loader);
        Object engine = configValues.get(TierCacheSettings.ENGINE);
        if (engine != null && !(engine instanceof SyncEngine)) {
            throw bad(TierCacheSettings.ENGINE, "must be a running io.tiercache.engine.SyncEngine instance, got "
                    + engine.getClass().getName());
        }
        this.injectedEngine = (SyncEngine) engine;
        this.sqlEnabled = injectedEngine != null ? injectedEngine.config().sqlEnabled()
                : bool(TierCacheSettings.SQL_ENABLED, settings.containsKey(TierCacheSettings.SQL_URL));
        this.strict = bool(TierCacheSettings.STRICT, false);
        this.lockTimeout = duration(TierCacheSettings.LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT);
        this.allowlist = parse(TierCacheSettings.SERIALIZATION_ALLOWLIST,
                () -> SerializationAllowlist.parse(settings.get(TierCacheSettings.SERIALIZATION_ALLOWLIST)));
        this.engineConfig = injectedEngine != null ? injectedEngine.config() : buildEngineConfig();
        this.strictProblems = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>(settings.keySet());
        configValues.keySet().forEach(key -> keys.add(String.valueOf(key)));
        this.warnings = ConfigCheck.check(keys, strictProblems);
        ConfigCheck.checkEffects(settings, sqlEnabled, warnings, strictProblems);
        duration(TierCacheSettings.TTL, null);
        settings.keySet().stream().filter(key -> key.startsWith(TierCacheSettings.REGION_PREFIX))
                .forEach(key -> {
                    if (key.endsWith(".ttl")) {
                        duration(key, null);
                    } else if (key.endsWith(".l3")) {
                        bool(key, false);
                    }
                });
    }

    /** Reads the settings; throws {@link TierCacheConfigurationException} naming the first unusable value. */
    public static ResolvedSettings resolve(Map<String, Object> configValues, ClassLoader loader) {
        return new ResolvedSettings(configValues, loader);
    }

    private SyncEngineConfig buildEngineConfig() {
        SyncEngineConfig.Builder builder = SyncEngineConfig.builder().sqlEnabled(sqlEnabled);
        String dataDir = settings.get(TierCacheSettings.DATA_DIR);
        if (dataDir != null) {
            builder.dataDir(Path.of(dataDir.trim()));
        }
        String url = settings.get(TierCacheSettings.SQL_URL);
        if (url != null) {
            builder.sqlUrl(url.trim());
        }
        String redisUrl = settings.get(TierCacheSettings.REDIS_URL);
        if (redisUrl != null && !redisUrl.isBlank()) {
            builder.redisUrl(redisUrl.trim());
        }
        String redisPrefix = settings.get(TierCacheSettings.REDIS_PREFIX);
        if (redisPrefix != null) {
            // not trimmed: a prefix is a literal, and the engine rejects control characters with the key named
            builder.redisPrefix(redisPrefix);
        }
        builder.sqlUsername(settings.get(TierCacheSettings.SQL_USERNAME));
        builder.sqlPassword(settings.get(TierCacheSettings.SQL_PASSWORD));
        String l1 = settings.get(TierCacheSettings.L1_MAX_BYTES);
        if (l1 != null) {
            builder.l1MaxBytes(parse(TierCacheSettings.L1_MAX_BYTES, () -> SettingValues.bytes(l1)));
        }
        Durability durability = durability();
        if (durability != null) {
            if (durability != Durability.MEMORY && !sqlEnabled) {
                throw bad(TierCacheSettings.DURABILITY, durability + " needs L3 (set " + TierCacheSettings.SQL_URL
                        + " or " + TierCacheSettings.SQL_ENABLED + "=true), or use MEMORY");
            }
            builder.defaultDurability(durability);
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            String key = settingNamedIn(e.getMessage());
            throw new TierCacheConfigurationException(Warnings.BAD_VALUE + (key != null ? " setting " + key + ": "
                    : " the tiercache engine settings are not usable: ") + e.getMessage(), e);
        }
    }

    /** The Hibernate key behind the engine setting an engine message starts with, so users see what they wrote. */
    private static String settingNamedIn(String message) {
        Map<String, String> keys = Map.of("redisUrl", TierCacheSettings.REDIS_URL,
                "redisPrefix", TierCacheSettings.REDIS_PREFIX, "sqlUrl", TierCacheSettings.SQL_URL,
                "l1MaxBytes", TierCacheSettings.L1_MAX_BYTES);
        String first = message == null ? "" : message.split(" ", 2)[0];
        return keys.get(first);
    }

    private Durability durability() {
        String value = settings.get(TierCacheSettings.DURABILITY);
        return value == null ? null : parse(TierCacheSettings.DURABILITY, () -> Durability.parse(value));
    }

    /** How a region's entries are written: L1 plus L2, plus L3 when asked and available; with the region's TTL. */
    public SubmitOptions writeOptions(String region) {
        boolean l3 = sqlEnabled && bool(TierCacheSettings.REGION_PREFIX + region + ".l3",
                bool(TierCacheSettings.L3, true));
        SubmitOptions options = l3 ? SubmitOptions.defaults().routedTo(Tier.L2, Tier.L3)
                : SubmitOptions.defaults().routedTo(Tier.L2);
        Duration ttl = duration(TierCacheSettings.REGION_PREFIX + region + ".ttl",
                duration(TierCacheSettings.TTL, null));
        if (ttl != null) {
            options = options.withTtl(ttl);
        }
        Durability durability = durability();
        return durability == null ? options : options.withDurability(durability);
    }

    public SyncEngine injectedEngine() {
        return injectedEngine;
    }

    public SyncEngineConfig engineConfig() {
        return engineConfig;
    }

    public boolean strict() {
        return strict;
    }

    public Duration lockTimeout() {
        return lockTimeout;
    }

    public SerializationAllowlist allowlist() {
        return allowlist;
    }

    public List<ConfigWarning> warnings() {
        return List.copyOf(warnings);
    }

    public List<ConfigWarning> strictProblems() {
        return List.copyOf(strictProblems);
    }

    private boolean bool(String key, boolean fallback) {
        String value = settings.get(key);
        return value == null ? fallback : parse(key, () -> SettingValues.bool(value));
    }

    private Duration duration(String key, Duration fallback) {
        String value = settings.get(key);
        return value == null ? fallback : parse(key, () -> SettingValues.duration(value));
    }

    private static <T> T parse(String key, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw bad(key, e.getMessage());
        }
    }

    private static TierCacheConfigurationException bad(String key, String problem) {
        return new TierCacheConfigurationException(Warnings.BAD_VALUE + " setting " + key + ": " + problem);
    }
}
