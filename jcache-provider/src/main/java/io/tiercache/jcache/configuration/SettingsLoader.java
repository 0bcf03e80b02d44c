package io.tiercache.jcache.configuration;

import io.tiercache.engine.Durability;
import io.tiercache.engine.TimeSource;

import javax.cache.CacheException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a CacheManager's settings, loudly. Sources, later ones winning: the {@code .properties} file the URI names
 * ({@code classpath:tiercache.properties}, {@code file:/etc/app/tiercache.properties}, or a path ending in
 * {@code .properties}; any other URI is just a name), the {@code Properties} given to {@code getCacheManager},
 * environment variables ({@code TIERCACHE_SQL_URL}) and system properties ({@code -Dtiercache.sql.url=...}).
 * An unknown {@code tiercache.*} key or a bad value fails with a message naming the key and what it allows.
 *
 * <pre>{@code
 * Properties overrides = new Properties();
 * overrides.setProperty("tiercache.sql.enabled", "false");
 * TierCacheSettings settings = SettingsLoader.load(URI.create("classpath:tiercache.properties"), false, loader, overrides);
 * }</pre>
 */
public final class SettingsLoader {
    private static final String PREFIX = "tiercache.";
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|K|M|G)?", Pattern.CASE_INSENSITIVE);
    private static final long MIN_L1_BYTES = 64 * 1024;

    private SettingsLoader() {
    }

    public static TierCacheSettings load(URI uri, boolean defaultUri, ClassLoader loader, Properties properties) {
        return load(uri, defaultUri, loader, properties, System.getProperties(), System.getenv());
    }

    public static TierCacheSettings load(URI uri, boolean defaultUri, ClassLoader loader, Properties properties,
                                         Properties systemProperties, Map<String, String> environment) {
        Map<Setting, Object> raw = new EnumMap<>(Setting.class);
        if (!defaultUri) {
            Properties file = readFile(uri, loader);
            if (file != null) {
                collect(raw, file, "file " + uri);
            }
        }
        if (properties != null) {
            collect(raw, properties, "the Properties passed to getCacheManager");
        }
        environment.forEach((name, value) -> {
            if (name.startsWith("TIERCACHE_")) {
                Setting setting = Setting.byEnvironmentVariable(name).orElseThrow(() -> new CacheException(
                        "unknown environment variable " + name + " (known: " + knownEnvironmentVariables() + ")"));
                raw.put(setting, value);
            }
        });
        collect(raw, systemProperties, "system properties");
        return build(raw);
    }

    private static void collect(Map<Setting, Object> raw, Properties source, String where) {
        for (String name : source.stringPropertyNames()) {
            putIfOurs(raw, name, source.getProperty(name), where);
        }
        source.forEach((key, value) -> {
            if (key instanceof String name && !(value instanceof String)) {
                putIfOurs(raw, name, value, where);
            }
        });
    }

    private static void putIfOurs(Map<Setting, Object> raw, String name, Object value, String where) {
        if (!name.startsWith(PREFIX)) {
            return;
        }
        Setting setting = Setting.byKey(name).orElseThrow(() -> new CacheException("unknown setting '" + name
                + "' in " + where + " (known keys: " + knownKeys() + "; see tiercache-reference.properties)"));
        raw.put(setting, value);
    }

    private static TierCacheSettings build(Map<Setting, Object> raw) {
        boolean sqlEnabled = parseBoolean(Setting.SQL_ENABLED, text(raw, Setting.SQL_ENABLED));
        String sqlUrl = text(raw, Setting.SQL_URL);
        if (sqlUrl != null && !sqlUrl.matches("^jdbc:(sqlite|mysql|mariadb):.+")) {
            throw bad(Setting.SQL_URL, sqlUrl, "a JDBC URL starting with jdbc:sqlite:, jdbc:mysql: or jdbc:mariadb:");
        }
        String redisUrl = text(raw, Setting.REDIS_URL);
        if (redisUrl != null && !redisUrl.toLowerCase(Locale.ROOT)
                .matches("^(redis|rediss|redis-sentinel|redis-cluster|rediss-cluster)://.+")) {
            throw bad(Setting.REDIS_URL, redisUrl, "a URL starting with redis://, rediss://, redis-sentinel://, "
                    + "redis-cluster:// or rediss-cluster://");
        }
        Path dataDir;
        String dir = text(raw, Setting.DATA_DIR);
        try {
            dataDir = Path.of(dir);
        } catch (InvalidPathException e) {
            throw bad(Setting.DATA_DIR, dir, "a directory path");
        }
        long l1MaxBytes = parseSize(text(raw, Setting.L1_MAX_BYTES));
        Durability durability = parseEnum(Setting.DURABILITY, text(raw, Setting.DURABILITY), Durability.class);
        if (!sqlEnabled && durability != Durability.MEMORY) {
            throw new CacheException(Setting.DURABILITY.key() + "=" + durability + " needs L3, but "
                    + Setting.SQL_ENABLED.key() + "=false; use MEMORY or enable SQL");
        }
        List<String> allowlist = new ArrayList<>();
        for (String pattern : text(raw, Setting.SERIALIZATION_ALLOWLIST).split("[;,\\s]+")) {
            if (!pattern.isBlank()) {
                if (pattern.startsWith("!") || pattern.contains("=")) {
                    throw bad(Setting.SERIALIZATION_ALLOWLIST, pattern,
                            "class patterns separated by ';' (com.acme.Type, com.acme.*, com.acme.**)");
                }
                allowlist.add(pattern.trim());
            }
        }
        OnCreate onCreate = parseEnum(Setting.ON_CREATE, text(raw, Setting.ON_CREATE), OnCreate.class);
        boolean remoteEvents = parseBoolean(Setting.EVENTS_REMOTE, text(raw, Setting.EVENTS_REMOTE));
        if (remoteEvents && redisUrl == null) {
            throw new CacheException(Setting.EVENTS_REMOTE.key() + "=true needs " + Setting.REDIS_URL.key()
                    + ": other nodes' writes are announced through Redis");
        }
        String redisPrefix = text(raw, Setting.REDIS_PREFIX);
        if (redisPrefix.length() > 64 || redisPrefix.chars().anyMatch(Character::isISOControl)) {
            throw bad(Setting.REDIS_PREFIX, redisPrefix, "0 to 64 printable characters");
        }
        return new TierCacheSettings(redisUrl, redisPrefix, sqlEnabled, sqlUrl, text(raw, Setting.SQL_USERNAME),
                text(raw, Setting.SQL_PASSWORD), dataDir, l1MaxBytes, durability, allowlist, onCreate,
                remoteEvents, timeSource(raw.get(Setting.TIME_SOURCE)));
    }

    private static String text(Map<Setting, Object> raw, Setting setting) {
        Object value = raw.get(setting);
        if (value == null) {
            return setting.defaultValue().orElse(null);
        }
        if (!(value instanceof String s)) {
            throw bad(setting, value, "a string");
        }
        return s.trim();
    }

    private static boolean parseBoolean(Setting setting, String value) {
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw bad(setting, value, "true, false");
    }

    private static long parseSize(String value) {
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw bad(Setting.L1_MAX_BYTES, value, "a byte count with an optional unit B, KB, MB or GB, e.g. 256MB");
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long bytes = switch (unit) {
            case "K", "KB" -> number << 10;
            case "M", "MB" -> number << 20;
            case "G", "GB" -> number << 30;
            default -> number;
        };
        if (bytes < MIN_L1_BYTES) {
            throw bad(Setting.L1_MAX_BYTES, value, "at least 64KB");
        }
        return bytes;
    }

    private static <E extends Enum<E>> E parseEnum(Setting setting, String value, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.replace('-', '_'))) {
                return constant;
            }
        }
        throw bad(setting, value, Arrays.toString(type.getEnumConstants()).replaceAll("[\\[\\]]", ""));
    }

    private static TimeSource timeSource(Object value) {
        if (value == null || "system".equals(value)) {
            return TimeSource.system();
        }
        if (value instanceof TimeSource source) {
            return source;
        }
        String className = value.toString().trim();
        try {
            Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            return (TimeSource) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw bad(Setting.TIME_SOURCE, className, "system, a TimeSource instance, or the name of a "
                    + "io.tiercache.engine.TimeSource class with a public no-argument constructor (" + e + ")");
        }
    }

    private static Properties readFile(URI uri, ClassLoader loader) {
        String scheme = uri.getScheme();
        if ("classpath".equalsIgnoreCase(scheme)) {
            String resource = uri.getSchemeSpecificPart().replaceFirst("^/+", "");
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new CacheException("CacheManager URI " + uri + " names classpath resource '" + resource
                            + "', which the class loader " + loader + " cannot find");
                }
                return parse(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), uri);
            } catch (IOException e) {
                throw new CacheException("cannot read CacheManager settings from " + uri + ": " + e.getMessage(), e);
            }
        }
        Path path;
        if ("file".equalsIgnoreCase(scheme)) {
            path = Path.of(uri);
        } else if (scheme == null && uri.getPath() != null && uri.getPath().endsWith(".properties")) {
            path = Path.of(uri.getPath());
            if (!Files.exists(path) && loader.getResource(uri.getPath()) != null) {
                return readFile(URI.create("classpath:" + uri.getPath()), loader);
            }
        } else {
            return null;
        }
        if (!Files.isRegularFile(path)) {
            throw new CacheException("CacheManager URI " + uri + " names settings file " + path.toAbsolutePath()
                    + ", which does not exist");
        }
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return parse(reader, uri);
        } catch (IOException e) {
            throw new CacheException("cannot read CacheManager settings from " + path + ": " + e.getMessage(), e);
        }
    }

    private static Properties parse(Reader reader, URI uri) throws IOException {
        Properties properties = new Properties();
        properties.load(reader);
        return properties;
    }

    private static CacheException bad(Setting setting, Object value, String allowed) {
        return new CacheException("invalid value '" + value + "' for " + setting.key() + " (allowed: " + allowed
                + ")");
    }

    private static String knownKeys() {
        return String.join(", ", Arrays.stream(Setting.values()).map(Setting::key).toList());
    }

    private static String knownEnvironmentVariables() {
        return String.join(", ", Arrays.stream(Setting.values()).map(Setting::environmentVariable).toList());
    }
}
