package io.tiercache.jcache;

import io.tiercache.jcache.configuration.SettingsLoader;
import io.tiercache.jcache.configuration.TierCacheSettings;

import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

/**
 * The tiercache JCache provider. It only maps (URI, class loader) pairs to {@link TierCacheManager}s; settings come
 * from the URI's properties file, the given {@code Properties}, environment variables and system properties (see
 * {@code tiercache-reference.properties}).
 *
 * <pre>{@code
 * CachingProvider provider = Caching.getCachingProvider();            // the only provider on the class path
 * CacheManager embedded = provider.getCacheManager();                 // L1 + SQLite under ./tiercache-data
 * Properties l1Only = new Properties();
 * l1Only.setProperty("tiercache.sql.enabled", "false");
 * CacheManager memory = provider.getCacheManager(URI.create("memory"), null, l1Only);
 * }</pre>
 */
public final class TierCachingProvider implements CachingProvider {
    /** The URI of the default CacheManager; it names no settings file. */
    public static final URI DEFAULT_URI = URI.create("tiercache:default");

    private final Map<ClassLoader, Map<URI, TierCacheManager>> managers = new WeakHashMap<>();

    @Override
    public synchronized CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
        URI managerUri = uri == null ? getDefaultURI() : uri;
        ClassLoader managerLoader = classLoader == null ? getDefaultClassLoader() : classLoader;
        Map<URI, TierCacheManager> byUri = managers.getOrDefault(managerLoader, Map.of());
        TierCacheManager manager = byUri.get(managerUri);
        if (manager == null) {
            Properties managerProperties = new Properties();
            if (properties != null) {
                managerProperties.putAll(properties);
            }
            TierCacheSettings settings = SettingsLoader.load(managerUri, managerUri.equals(DEFAULT_URI),
                    managerLoader, managerProperties);
            manager = new TierCacheManager(this, managerUri, managerLoader, managerProperties, settings);
            managers.computeIfAbsent(managerLoader, k -> new HashMap<>()).put(managerUri, manager);
        }
        return manager;
    }

    @Override
    public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
        return getCacheManager(uri, classLoader, getDefaultProperties());
    }

    @Override
    public CacheManager getCacheManager() {
        return getCacheManager(getDefaultURI(), getDefaultClassLoader(), getDefaultProperties());
    }

    @Override
    public ClassLoader getDefaultClassLoader() {
        return getClass().getClassLoader();
    }

    @Override
    public URI getDefaultURI() {
        return DEFAULT_URI;
    }

    @Override
    public Properties getDefaultProperties() {
        return new Properties();
    }

    @Override
    public void close() {
        List<TierCacheManager> toClose = new ArrayList<>();
        synchronized (this) {
            managers.values().forEach(byUri -> toClose.addAll(byUri.values()));
            managers.clear();
        }
        toClose.forEach(TierCacheManager::close);
    }

    @Override
    public void close(ClassLoader classLoader) {
        Map<URI, TierCacheManager> byUri;
        synchronized (this) {
            byUri = managers.remove(classLoader == null ? getDefaultClassLoader() : classLoader);
        }
        if (byUri != null) {
            new ArrayList<>(byUri.values()).forEach(TierCacheManager::close);
        }
    }

    @Override
    public void close(URI uri, ClassLoader classLoader) {
        TierCacheManager manager;
        synchronized (this) {
            Map<URI, TierCacheManager> byUri = managers.get(classLoader == null ? getDefaultClassLoader() : classLoader);
            manager = byUri == null ? null : byUri.remove(uri == null ? getDefaultURI() : uri);
        }
        if (manager != null) {
            manager.close();
        }
    }

    synchronized void release(TierCacheManager manager) {
        Map<URI, TierCacheManager> byUri = managers.get(manager.getClassLoader());
        if (byUri != null && byUri.get(manager.getURI()) == manager) {
            byUri.remove(manager.getURI());
            if (byUri.isEmpty()) {
                managers.remove(manager.getClassLoader());
            }
        }
    }

    @Override
    public boolean isSupported(OptionalFeature feature) {
        return feature == OptionalFeature.STORE_BY_REFERENCE;
    }
}
