package io.tiercache.jcache.configuration;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.TimeSource;
import io.tiercache.jcache.codec.SerializationFilter;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The validated, frozen settings of one CacheManager, read by {@link SettingsLoader}.
 *
 * <pre>{@code
 * TierCacheSettings settings = SettingsLoader.load(uri, loader, properties);
 * SyncEngineConfig engineConfig = settings.engineConfig();
 * }</pre>
 */
public final class TierCacheSettings {
    private final String redisUrl;
    private final String redisPrefix;
    private final boolean sqlEnabled;
    private final String sqlUrl;
    private final String sqlUsername;
    private final String sqlPassword;
    private final Path dataDir;
    private final long l1MaxBytes;
    private final Durability durability;
    private final List<String> allowlist;
    private final OnCreate onCreate;
    private final boolean remoteEvents;
    private final TimeSource timeSource;

    TierCacheSettings(String redisUrl, String redisPrefix, boolean sqlEnabled, String sqlUrl, String sqlUsername, String sqlPassword,
                      Path dataDir, long l1MaxBytes, Durability durability, List<String> allowlist,
                      OnCreate onCreate, boolean remoteEvents, TimeSource timeSource) {
        this.redisUrl = redisUrl;
        this.redisPrefix = redisPrefix;
        this.sqlEnabled = sqlEnabled;
        this.sqlUrl = sqlUrl;
        this.sqlUsername = sqlUsername;
        this.sqlPassword = sqlPassword;
        this.dataDir = dataDir;
        this.l1MaxBytes = l1MaxBytes;
        this.durability = durability;
        this.allowlist = List.copyOf(allowlist);
        this.onCreate = onCreate;
        this.remoteEvents = remoteEvents;
        this.timeSource = timeSource;
    }

    /** Accepted and handed to the engine, which ignores it until the L2 tier lands. */
    public Optional<String> redisUrl() {
        return Optional.ofNullable(redisUrl);
    }

    public boolean sqlEnabled() {
        return sqlEnabled;
    }

    /** The JDBC URL of L3; defaults to an SQLite file in the data directory. */
    public String sqlUrl() {
        return sqlUrl != null ? sqlUrl : "jdbc:sqlite:" + dataDir.resolve("l3.db");
    }

    public Path dataDir() {
        return dataDir;
    }

    public long l1MaxBytes() {
        return l1MaxBytes;
    }

    public Durability durability() {
        return durability;
    }

    public List<String> allowlist() {
        return allowlist;
    }

    public SerializationFilter serializationFilter() {
        return SerializationFilter.withExtraPatterns(allowlist);
    }

    public OnCreate onCreate() {
        return onCreate;
    }

    /** Whether entry listeners also hear of writes other nodes made ({@code tiercache.events.remote}). */
    public boolean remoteEvents() {
        return remoteEvents;
    }

    public TimeSource timeSource() {
        return timeSource;
    }

    /**
     * Identifies the storage an engine over these settings opens: two CacheManagers with the same key must share one
     * engine (an engine owns its WAL and SQLite files). Empty for L1-only settings, which share nothing.
     */
    public Optional<String> storageKey() {
        return sqlEnabled ? Optional.of(walLocation() + "|" + l3Location()) : Optional.empty();
    }

    /** Where the engine's local WAL lives (the data directory, absolute). */
    public String walLocation() {
        return dataDir.toAbsolutePath().normalize().toString();
    }

    /** The L3 this engine opens: an SQLite file's absolute path, or the JDBC URL of a server. */
    public String l3Location() {
        String url = sqlUrl();
        if (url.startsWith("jdbc:sqlite:")) {
            String file = url.substring("jdbc:sqlite:".length());
            int query = file.indexOf('?');
            return "sqlite:" + Path.of(query < 0 ? file : file.substring(0, query)).toAbsolutePath().normalize();
        }
        return url;
    }

    public SyncEngineConfig engineConfig() {
        SyncEngineConfig.Builder builder = SyncEngineConfig.builder()
                .dataDir(dataDir)
                .l1MaxBytes(l1MaxBytes)
                .sqlEnabled(sqlEnabled)
                .defaultDurability(durability)
                .timeSource(timeSource)
                .redisUrl(redisUrl)
                .redisPrefix(redisPrefix);
        if (sqlEnabled) {
            builder.sqlUrl(sqlUrl()).sqlUsername(sqlUsername).sqlPassword(sqlPassword);
        }
        if (l1MaxBytes < SyncEngineConfig.MIB) {
            builder.batchFlushBytes(l1MaxBytes / 4);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "TierCacheSettings{sqlEnabled=" + sqlEnabled + ", sqlUrl=" + (sqlEnabled ? sqlUrl() : "-")
                + ", dataDir=" + dataDir + ", l1MaxBytes=" + l1MaxBytes + ", durability=" + durability
                + ", redisUrl=" + redisUrl + ", redisPrefix=" + redisPrefix + ", allowlist=" + allowlist + ", onCreate=" + onCreate
                + ", remoteEvents=" + remoteEvents + "}";
    }
}
