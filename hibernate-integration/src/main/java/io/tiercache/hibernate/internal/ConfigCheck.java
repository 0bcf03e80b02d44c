package io.tiercache.hibernate.internal;

import io.tiercache.hibernate.ConfigWarning;
import io.tiercache.hibernate.TierCacheSettings;
import io.tiercache.hibernate.Warnings;
import org.hibernate.cfg.AvailableSettings;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds cache settings that will not do what their author meant: unknown or misspelled
 * {@code hibernate.cache.tiercache.*} keys, keys of other cache providers, and {@code hibernate.cache.*} keys that
 * Hibernate does not define. Hibernate's own keys are read from {@link AvailableSettings}, so the list follows the
 * Hibernate version on the class path.
 */
final class ConfigCheck {
    private static final List<String> OTHER_PROVIDERS = List.of("hibernate.cache.jcache.", "hibernate.javax.cache.",
            "hibernate.cache.ehcache.", "hibernate.cache.infinispan.", "hibernate.cache.hazelcast.",
            "hibernate.cache.redisson.", "net.sf.ehcache.");
    private static final Set<String> HIBERNATE_CACHE_KEYS = hibernateCacheKeys();

    private ConfigCheck() {
    }

    /** The warnings for these keys; {@code strictProblems} receives those that strict mode refuses. */
    static List<ConfigWarning> check(Collection<String> keys, List<ConfigWarning> strictProblems) {
        List<ConfigWarning> warnings = new ArrayList<>();
        for (String key : new TreeSet<>(keys)) {
            ConfigWarning warning = checkKey(key);
            if (warning != null) {
                warnings.add(warning);
                strictProblems.add(warning);
            }
        }
        return warnings;
    }

    private static ConfigWarning checkKey(String key) {
        for (String prefix : OTHER_PROVIDERS) {
            if (key.startsWith(prefix)) {
                return new ConfigWarning(Warnings.OTHER_PROVIDER_KEY, key, "'" + key + "' configures another cache "
                        + "provider and is ignored: hibernate.cache.region.factory_class is tiercache (its settings "
                        + "start with " + TierCacheSettings.PREFIX + ")");
            }
        }
        if (key.startsWith(TierCacheSettings.REGION_PREFIX)) {
            String setting = key.substring(key.lastIndexOf('.') + 1);
            boolean named = key.length() > TierCacheSettings.REGION_PREFIX.length() + setting.length() + 1;
            return named && TierCacheSettings.REGION_SETTINGS.contains(setting) ? null
                    : new ConfigWarning(Warnings.UNKNOWN_TIERCACHE_KEY, key, "unknown setting '" + key
                    + "' ignored: per-region settings are " + TierCacheSettings.REGION_PREFIX + "<region>.{"
                    + String.join(",", TierCacheSettings.REGION_SETTINGS) + "}");
        }
        if (key.startsWith(TierCacheSettings.PREFIX)) {
            return TierCacheSettings.KEYS.contains(key) ? null
                    : new ConfigWarning(Warnings.UNKNOWN_TIERCACHE_KEY, key, "unknown setting '" + key + "' ignored"
                    + suggestion(key, TierCacheSettings.KEYS));
        }
        if (key.startsWith("hibernate.cache.") && !HIBERNATE_CACHE_KEYS.contains(key)) {
            return new ConfigWarning(Warnings.UNKNOWN_CACHE_KEY, key, "'" + key + "' is not a Hibernate cache "
                    + "setting and is ignored" + suggestion(key, HIBERNATE_CACHE_KEYS));
        }
        return null;
    }

    /** Warnings about values that are valid but will not take effect. */
    static void checkEffects(Map<String, String> settings, boolean sqlEnabled, List<ConfigWarning> warnings,
                             List<ConfigWarning> strictProblems) {
        if (settings.containsKey(TierCacheSettings.REDIS_PREFIX) && !settings.containsKey(TierCacheSettings.REDIS_URL)) {
            ConfigWarning warning = new ConfigWarning(Warnings.REDIS_PREFIX_WITHOUT_URL, TierCacheSettings.REDIS_PREFIX,
                    TierCacheSettings.REDIS_PREFIX + " has no effect: there is no L2 without "
                            + TierCacheSettings.REDIS_URL);
            warnings.add(warning);
            strictProblems.add(warning);
        }
        settings.forEach((key, value) -> {
            boolean asksForL3 = (key.equals(TierCacheSettings.L3) || key.startsWith(TierCacheSettings.REGION_PREFIX)
                    && key.endsWith(".l3")) && Boolean.parseBoolean(value.trim());
            if (asksForL3 && !sqlEnabled) {
                ConfigWarning warning = new ConfigWarning(Warnings.L3_WITHOUT_SQL, key, key + "=true has no effect:"
                        + " the engine runs without L3 (set " + TierCacheSettings.SQL_URL + " or "
                        + TierCacheSettings.SQL_ENABLED + "=true)");
                warnings.add(warning);
                strictProblems.add(warning);
            }
        });
        if ("true".equalsIgnoreCase(String.valueOf(settings.get(AvailableSettings.USE_DIRECT_REFERENCE_CACHE_ENTRIES)))) {
            warnings.add(new ConfigWarning(Warnings.REFERENCE_ENTRIES, AvailableSettings.USE_DIRECT_REFERENCE_CACHE_ENTRIES,
                    AvailableSettings.USE_DIRECT_REFERENCE_CACHE_ENTRIES + "=true: reference entries hold live "
                            + "entity instances, which a shared store cannot hold; those entities are not cached"));
        }
    }

    private static String suggestion(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = Levenshtein.distance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static Set<String> hibernateCacheKeys() {
        Set<String> keys = new TreeSet<>();
        for (Field field : AvailableSettings.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    String value = (String) field.get(null);
                    if (value != null && value.startsWith("hibernate.cache.")) {
                        keys.add(value);
                    }
                } catch (IllegalAccessException e) {
                    // a constant we cannot read cannot be a setting anyone relies on us to recognize
                }
            }
        }
        return keys;
    }

    /** Edit distance, for "did you mean" suggestions. */
    static final class Levenshtein {
        private Levenshtein() {
        }

        static int distance(String a, String b) {
            int[] previous = new int[b.length() + 1];
            int[] current = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                previous[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                current[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }
                int[] swap = previous;
                previous = current;
                current = swap;
            }
            return previous[b.length()];
        }
    }
}
