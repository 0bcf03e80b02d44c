package io.tiercache.hibernate.internal;

import io.tiercache.hibernate.TierCacheConfigurationException;
import io.tiercache.hibernate.TierCacheSettings;
import io.tiercache.hibernate.Warnings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Collects the cache settings from the properties file named by {@code hibernate.cache.tiercache.config} (file
 * path first, then class-path resource) and from Hibernate's settings, which win. File keys may be written as the
 * JCache provider writes them ({@code tiercache.sql.url}) or in full.
 */
final class SettingsSources {
    private static final String SHORT_PREFIX = "tiercache.";

    private SettingsSources() {
    }

    static Map<String, String> merge(Map<String, Object> configValues, ClassLoader loader) {
        Map<String, String> merged = new TreeMap<>();
        Object file = configValues.get(TierCacheSettings.CONFIG);
        if (file != null) {
            load(String.valueOf(file).trim(), loader).forEach((key, value) -> {
                String name = String.valueOf(key);
                merged.put(name.startsWith(SHORT_PREFIX) ? "hibernate.cache." + name : name, String.valueOf(value));
            });
        }
        configValues.forEach((key, value) -> {
            String name = String.valueOf(key);
            if (name.startsWith("hibernate.cache.") && !name.equals(TierCacheSettings.ENGINE) && value != null) {
                merged.put(name, String.valueOf(value));
            }
        });
        return merged;
    }

    private static Properties load(String location, ClassLoader loader) {
        Properties properties = new Properties();
        Path path = Path.of(location);
        try (InputStream in = Files.isRegularFile(path) ? Files.newInputStream(path)
                : loader.getResourceAsStream(location.startsWith("/") ? location.substring(1) : location)) {
            if (in == null) {
                throw new TierCacheConfigurationException(Warnings.BAD_VALUE + " setting " + TierCacheSettings.CONFIG
                        + ": no file or class-path resource '" + location + "'");
            }
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new TierCacheConfigurationException(Warnings.BAD_VALUE + " setting " + TierCacheSettings.CONFIG
                    + ": cannot read '" + location + "': " + e.getMessage(), e);
        }
    }
}
