package io.tiercache.jcache;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SyncEngine;
import io.tiercache.jcache.codec.DefaultCodec;
import io.tiercache.jcache.codec.KeyCodec;
import io.tiercache.jcache.codec.ValueCodec;
import io.tiercache.jcache.configuration.OnCreate;
import io.tiercache.jcache.configuration.TierCacheSettings;
import io.tiercache.jcache.event.EventDispatcher;

import javax.cache.CacheException;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Turns a JCache configuration plus the manager's settings into the engine-facing parts of a {@link TierCache}:
 * codecs and key ids, the expiry policy, loader and writer, listeners, and the engine write options.
 */
final class CacheFactory {
    private CacheFactory() {
    }

    static <K, V> TierCache<K, V> create(TierCacheManager manager, String name, Configuration<K, V> requested,
                                         TierCacheSettings settings, SyncEngine engine) {
        TierCacheConfiguration<K, V> configuration = TierCacheConfiguration.of(requested);
        Durability durability = configuration.getDurability().orElse(settings.durability());
        if (durability != Durability.MEMORY && !settings.sqlEnabled()) {
            throw new CacheException("cache '" + name + "' asks for durability " + durability
                    + ", which needs L3, but its CacheManager runs with tiercache.sql.enabled=false");
        }
        ClassLoader loader = manager.getClassLoader();
        ValueCodec keyCodec = DefaultCodec.create(settings.serializationFilter(), loader);
        ValueCodec valueCodec = configuration.getValueCodec().orElse(keyCodec);
        KeyCodec keys = new KeyCodec(name, keyCodec, !configuration.isStoreByValue());

        ExpiryPolicy expiry = configuration.getExpiryPolicyFactory().create();
        CacheLoader<K, V> cacheLoader = configuration.getCacheLoaderFactory() == null
                ? null : configuration.getCacheLoaderFactory().create();
        @SuppressWarnings("unchecked")
        CacheWriter<? super K, ? super V> cacheWriter = configuration.getCacheWriterFactory() == null
                ? null : (CacheWriter<? super K, ? super V>) configuration.getCacheWriterFactory().create();
        Integration<K, V> integration = new Integration<>(cacheLoader, cacheWriter, configuration.isReadThrough(),
                configuration.isWriteThrough());

        EventDispatcher<K, V> events = new EventDispatcher<>(name);
        for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
            events.register(listener);
        }
        StoredEntries<K, V> entries = new StoredEntries<>(keys, valueCodec, configuration.isStoreByValue(), expiry,
                settings.timeSource(), configuration.submitOptions(), configuration.getStorageTtl().orElse(null));
        if (settings.onCreate() == OnCreate.EMPTY) {
            try {
                engine.deletePrefix(keys.namespace()).join();
            } catch (RuntimeException e) {
                throw new CacheException("cannot empty the namespace of new cache '" + name + "': " + e, e);
            }
        }
        TierCache<K, V> cache = new TierCache<>(manager, name, configuration, engine, entries, integration, events,
                loadExecutor(name));
        if (settings.remoteEvents()) {
            cache.hearRemoteWrites();
        }
        return cache;
    }

    /** One daemon thread that exists only while loadAll work is queued. */
    private static ExecutorService loadExecutor(String name) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "tiercache-loadAll-" + name);
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
