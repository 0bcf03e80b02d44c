package io.tiercache.jcache;

import io.tiercache.engine.SyncEngine;
import io.tiercache.jcache.codec.KeyCodec;
import io.tiercache.jcache.configuration.TierCacheSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.spi.CachingProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A CacheManager: its caches are namespaces of one engine, shared with every other manager over the same storage.
 * Two managers over the same data directory and SQL URL therefore see the same entries in caches of the same name,
 * like two application nodes sharing one L3; managers that must stay apart need different storage settings.
 *
 * <pre>{@code
 * CachingProvider provider = Caching.getCachingProvider();
 * CacheManager manager = provider.getCacheManager(URI.create("classpath:tiercache.properties"), loader);
 * Cache<String, String> cache = manager.createCache("greetings", new MutableConfiguration<String, String>());
 * SyncEngine engine = manager.unwrap(SyncEngine.class);
 * }</pre>
 */
public final class TierCacheManager implements CacheManager {
    private static final Logger LOG = LoggerFactory.getLogger(TierCacheManager.class);

    private final TierCachingProvider provider;
    private final URI uri;
    private final ClassLoader classLoader;
    private final Properties properties;
    private final TierCacheSettings settings;
    private final EngineRegistry.Lease lease;
    private final Map<String, TierCache<?, ?>> caches = new ConcurrentHashMap<>();
    private volatile boolean closed;

    TierCacheManager(TierCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties,
                     TierCacheSettings settings) {
        this.provider = provider;
        this.uri = uri;
        this.classLoader = classLoader;
        this.properties = properties;
        this.settings = settings;
        this.lease = EngineRegistry.acquire(settings);
    }

    @Override
    public CachingProvider getCachingProvider() {
        return provider;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    public ClassLoader getClassLoader() {
        return classLoader;
    }

    @Override
    public Properties getProperties() {
        return properties;
    }

    public TierCacheSettings settings() {
        return settings;
    }

    @Override
    public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        Objects.requireNonNull(configuration, "configuration must not be null");
        synchronized (caches) {
            if (caches.containsKey(cacheName)) {
                throw new CacheException("a cache named '" + cacheName + "' already exists in " + uri);
            }
            TierCache<K, V> cache = CacheFactory.create(this, cacheName, configuration, settings, lease.engine());
            caches.put(cacheName, cache);
            return cache;
        }
    }

    @Override
    public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        Objects.requireNonNull(keyType, "keyType must not be null");
        Objects.requireNonNull(valueType, "valueType must not be null");
        TierCache<?, ?> cache = caches.get(cacheName);
        if (cache == null) {
            return null;
        }
        CompleteConfiguration<?, ?> configuration = cache.configurationCopy();
        if (!keyType.equals(configuration.getKeyType())) {
            throw new ClassCastException("cache '" + cacheName + "' has key type "
                    + configuration.getKeyType().getName() + ", not " + keyType.getName());
        }
        if (!valueType.equals(configuration.getValueType())) {
            throw new ClassCastException("cache '" + cacheName + "' has value type "
                    + configuration.getValueType().getName() + ", not " + valueType.getName());
        }
        @SuppressWarnings("unchecked")
        Cache<K, V> typed = (Cache<K, V>) cache;
        return typed;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> Cache<K, V> getCache(String cacheName) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        return (Cache<K, V>) caches.get(cacheName);
    }

    @Override
    public Iterable<String> getCacheNames() {
        requireOpen();
        return Collections.unmodifiableSet(new LinkedHashSet<>(caches.keySet()));
    }

    /**
     * Closes the cache and deletes its entries from every tier. Entries are deleted even when no cache of that name
     * is open here, so data a previous run kept ({@code tiercache.cache.on-create=KEEP}) can be destroyed too.
     */
    @Override
    public void destroyCache(String cacheName) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        TierCache<?, ?> cache = caches.get(cacheName);
        if (cache != null) {
            cache.clearStorage();
            cache.close();
            return;
        }
        try {
            lease.engine().deletePrefix(KeyCodec.namespaceOf(cacheName)).join();
        } catch (RuntimeException e) {
            throw new CacheException("cannot destroy cache '" + cacheName + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void enableManagement(String cacheName, boolean enabled) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        TierCache<?, ?> cache = caches.get(cacheName);
        if (cache != null) {
            cache.setManagementEnabled(enabled);
        }
    }

    @Override
    public void enableStatistics(String cacheName, boolean enabled) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        TierCache<?, ?> cache = caches.get(cacheName);
        if (cache != null) {
            cache.setStatisticsEnabled(enabled);
        }
    }

    void release(String cacheName, TierCache<?, ?> cache) {
        caches.remove(cacheName, cache);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        provider.release(this);
        for (TierCache<?, ?> cache : new ArrayList<>(caches.values())) {
            try {
                cache.close();
            } catch (RuntimeException e) {
                LOG.warn("closing cache '{}' of {} failed", cache.getName(), uri, e);
            }
        }
        caches.clear();
        lease.release();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Unwraps to this manager, its {@link SyncEngine}, or its {@link TierCacheSettings}. */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (type.isInstance(lease.engine())) {
            return type.cast(lease.engine());
        }
        if (type.isInstance(settings)) {
            return type.cast(settings);
        }
        throw new IllegalArgumentException("a tiercache CacheManager cannot be unwrapped to " + type.getName()
                + " (supported: TierCacheManager, SyncEngine, TierCacheSettings)");
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("CacheManager " + uri + " is closed");
        }
    }

    @Override
    public String toString() {
        return "TierCacheManager{" + uri + ", " + settings + "}";
    }
}
