package io.tiercache.jcache;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.redis.SharedRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code tiercache.events.remote=true}: a listener on node A hears of node B's writes (two CacheManagers with engines
 * of their own sharing one Redis prefix stand for two nodes). Off, it hears only its own node's. Writes to one key
 * that another node flushes together arrive as one event, of the newest state.
 */
class RemoteEventsIT {
    @TempDir
    Path dir;
    private final SharedRedis redis = new SharedRedis();
    private final TierCachingProvider provider = new TierCachingProvider();
    private final List<CacheManager> managers = new ArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(CacheManager::close);
        provider.close();
        redis.close();
    }

    private Cache<String, String> node(String name, boolean remoteEvents, RecordingListener listener) {
        Properties settings = new Properties();
        settings.setProperty("tiercache.redis.url", SharedRedis.URL);
        settings.setProperty("tiercache.redis.prefix", redis.prefix());
        settings.setProperty("tiercache.sql.enabled", "false");
        settings.setProperty("tiercache.data-dir", dir.resolve(name).toString());
        settings.setProperty("tiercache.cache.on-create", "KEEP");
        settings.setProperty("tiercache.events.remote", Boolean.toString(remoteEvents));
        CacheManager manager = provider.getCacheManager(URI.create("test:" + name + "-" + UUID.randomUUID()),
                getClass().getClassLoader(), settings);
        managers.add(manager);
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class);
        if (listener != null) {
            config.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                    FactoryBuilder.factoryOf(listener), null, true, true));
        }
        return manager.createCache("orders", config);
    }

    @Test
    void aListenerHearsAnotherNodesWritesOnceEachWhenAskedTo() throws Exception {
        RecordingListener heard = new RecordingListener();
        RecordingListener deaf = new RecordingListener();
        Cache<String, String> a = node("a", true, heard);
        Cache<String, String> quiet = node("quiet", false, deaf);
        Cache<String, String> b = node("b", false, null);

        // One write at a time: writes to one key that B flushes together reach A as one event of the newest state.
        SyncEngine bEngine = b.unwrap(SyncEngine.class);
        b.put("o-1", "new");
        bEngine.forceFlush().join();
        awaitEvents(heard, 1);
        b.put("o-1", "paid");
        bEngine.forceFlush().join();
        awaitEvents(heard, 2);
        b.remove("o-1");
        bEngine.forceFlush().join();
        awaitEvents(heard, 3);
        b.putIfAbsent("o-2", "new");
        awaitEvents(heard, 4);
        assertThat(heard.events).containsExactly("UPDATED o-1 new -", "UPDATED o-1 paid -", "REMOVED o-1 null -",
                "UPDATED o-2 new -");

        a.put("o-3", "local");
        awaitEvents(heard, 5);
        assertThat(heard.events.get(4)).as("a local write, as JCache reports it").isEqualTo("CREATED o-3 local -");
        TimeUnit.MILLISECONDS.sleep(300);
        assertThat(heard.events).as("no write reported twice").hasSize(5);
        assertThat(deaf.events).as("remote events are off by default").isEmpty();
        assertThat(quiet.get("o-2")).isEqualTo("new");
    }

    @Test
    void remoteEventsWithoutRedisAreRefusedByName() {
        Properties settings = new Properties();
        settings.setProperty("tiercache.sql.enabled", "false");
        settings.setProperty("tiercache.events.remote", "true");
        assertThatThrownBy(() -> provider.getCacheManager(URI.create("test:no-redis-" + UUID.randomUUID()),
                getClass().getClassLoader(), settings))
                .isInstanceOf(CacheException.class).hasMessageContaining("tiercache.events.remote")
                .hasMessageContaining("tiercache.redis.url");
    }

    private static void awaitEvents(RecordingListener listener, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (listener.events.size() < count && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertThat(listener.events).as("events heard within 10 s").hasSizeGreaterThanOrEqualTo(count);
    }
}
