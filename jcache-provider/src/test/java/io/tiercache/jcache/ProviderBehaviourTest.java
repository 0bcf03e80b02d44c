package io.tiercache.jcache;

import io.tiercache.engine.SyncEngine;
import io.tiercache.jcache.codec.CodecException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderBehaviourTest {
    @TempDir
    Path dir;

    private final TierCachingProvider provider = new TierCachingProvider();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    @Test
    void isTheRegisteredProvider() {
        CachingProvider found = Caching.getCachingProvider();

        assertThat(found).isInstanceOf(TierCachingProvider.class);
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void storeByValueCopiesAndStoreByReferenceDoesNot(TierSetup setup) {
        CacheManager manager = setup.open(provider, dir);
        Cache<String, Date> byValue = manager.createCache("by-value", new MutableConfiguration<String, Date>());
        Cache<String, Date> byReference = manager.createCache("by-reference",
                new MutableConfiguration<String, Date>().setStoreByValue(false));
        Date date = new Date(1_000);

        byValue.put("d", date);
        byReference.put("d", date);
        date.setTime(2_000);

        assertThat(byValue.get("d")).isEqualTo(new Date(1_000)).isNotSameAs(byValue.get("d"));
        assertThat(byReference.get("d")).isSameAs(date);
    }

    record Secret(String text) implements Serializable {
    }

    @Test
    void classesOutsideTheAllowlistAreRefusedOnRead() {
        Properties properties = new Properties();
        properties.setProperty("tiercache.sql.enabled", "false");
        CacheManager manager = provider.getCacheManager(URI.create("test:strict"), getClass().getClassLoader(),
                properties);
        Cache<String, Secret> cache = manager.createCache("secrets", new MutableConfiguration<String, Secret>());
        cache.put("s", new Secret("x"));

        assertThatThrownBy(() -> cache.get("s"))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Secret.class.getName())
                .hasMessageContaining("tiercache.serialization.allowlist");
    }

    @Test
    void sqliteEntriesSurviveARestartWhenCachesKeepTheirData() {
        Properties properties = TierSetup.SQLITE.properties(dir);
        properties.setProperty("tiercache.cache.on-create", "KEEP");
        CacheManager first = provider.getCacheManager(URI.create("test:restart"), getClass().getClassLoader(),
                properties);
        first.createCache("orders", new MutableConfiguration<String, String>()).put("o-1", "paid");
        first.close();

        CacheManager second = provider.getCacheManager(URI.create("test:restart"), getClass().getClassLoader(),
                properties);
        Cache<String, String> orders = second.createCache("orders", new MutableConfiguration<String, String>());

        assertThat(orders.get("o-1")).isEqualTo("paid");
    }

    @Test
    void destroyCacheDeletesKeptEntriesOfACacheNotOpenHere() {
        Properties properties = TierSetup.SQLITE.properties(dir);
        properties.setProperty("tiercache.cache.on-create", "KEEP");
        CacheManager first = provider.getCacheManager(URI.create("test:destroy"), getClass().getClassLoader(),
                properties);
        first.createCache("orders", new MutableConfiguration<String, String>()).put("o-1", "paid");
        first.close();

        CacheManager second = provider.getCacheManager(URI.create("test:destroy"), getClass().getClassLoader(),
                properties);
        second.destroyCache("orders");

        assertThat(second.createCache("orders", new MutableConfiguration<String, String>()).get("o-1")).isNull();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void storeByReferenceKeepsValuesThatCannotBeSerialized(TierSetup setup) {
        CacheManager manager = setup.open(provider, dir);
        Cache<String, Object> cache = manager.createCache("opaque",
                new MutableConfiguration<String, Object>().setStoreByValue(false));
        Object opaque = new Object();

        cache.put("k", opaque);

        assertThat(cache.get("k")).isSameAs(opaque);
        assertThat(cache.iterator().next().getValue()).isSameAs(opaque);
        assertThat(cache.remove("k")).isTrue();
        assertThat(cache.get("k")).isNull();
    }

    public record Book(String title, int year) {
    }

    @Test
    void jsonCodedValuesArePlainJsonInL3() {
        CacheManager manager = TierSetup.SQLITE.open(provider, dir);
        Cache<String, Book> books = manager.createCache("books", new TierCacheConfiguration<String, Book>()
                .setTypes(String.class, Book.class)
                .setValueCodec(new io.tiercache.jcache.codec.JsonCodec<>(Book.class)));

        books.put("dune", new Book("Dune", 1965));

        io.tiercache.engine.SyncItem item = manager.unwrap(SyncEngine.class).get("books/dune").orElseThrow();
        assertThat(item.contentType()).isEqualTo(io.tiercache.engine.ContentType.JSON);
        assertThat(item.contentAsJson()).contains("{\"title\":\"Dune\",\"year\":1965}");
        assertThat(books.get("dune")).isEqualTo(new Book("Dune", 1965));
    }

    @Test
    void managersOverOneDataDirectoryShareOneEngineUntilTheLastCloses() {
        CacheManager a = provider.getCacheManager(URI.create("test:a"), getClass().getClassLoader(),
                TierSetup.SQLITE.properties(dir));
        CacheManager b = provider.getCacheManager(URI.create("test:b"), getClass().getClassLoader(),
                TierSetup.SQLITE.properties(dir));
        SyncEngine engine = a.unwrap(SyncEngine.class);
        assertThat(b.unwrap(SyncEngine.class)).isSameAs(engine);

        a.close();
        Cache<String, String> cache = b.createCache("still-open", new MutableConfiguration<String, String>());
        cache.put("k", "v");
        assertThat(cache.get("k")).isEqualTo("v");
        b.close();
        assertThat(engine.state().name()).isEqualTo("STOPPED");
    }

    @Test
    void managersThatHalfOverlapAnOpenEngineAreRefused() {
        provider.getCacheManager(URI.create("test:first"), getClass().getClassLoader(),
                TierSetup.SQLITE.properties(dir));
        Properties sameDirOtherL3 = TierSetup.SQLITE.properties(dir);
        sameDirOtherL3.setProperty("tiercache.sql.url", "jdbc:sqlite:" + dir.resolve("other.db"));

        assertThatThrownBy(() -> provider.getCacheManager(URI.create("test:second"), getClass().getClassLoader(),
                sameDirOtherL3))
                .isInstanceOf(javax.cache.CacheException.class)
                .hasMessageContaining("overlaps an open engine");
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void entriesAreReadableEngineItemsInTheCacheNamespace(TierSetup setup) {
        CacheManager manager = setup.open(provider, dir);
        Cache<Object, String> cache = manager.createCache("mixed", new MutableConfiguration<Object, String>());
        cache.put("ada", "1");
        cache.put(42L, "2");
        SyncEngine engine = cache.unwrap(SyncEngine.class);

        List<String> ids = new ArrayList<>();
        engine.scanPrefix("mixed/", 10).forEach(item -> ids.add(item.id()));

        assertThat(ids).containsExactlyInAnyOrder("mixed/ada", "mixed/~l:42");
        List<Object> keys = new ArrayList<>();
        cache.forEach(entry -> keys.add(entry.getKey()));
        assertThat(keys).containsExactlyInAnyOrder("ada", 42L);
        cache.clear();
        assertThat(engine.countPrefix("mixed/")).isZero();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void overlongKeysWork(TierSetup setup) {
        CacheManager manager = setup.open(provider, dir);
        Cache<String, String> cache = manager.createCache("long", new MutableConfiguration<String, String>());
        String key = "x".repeat(3_000);

        cache.put(key, "v");

        assertThat(cache.get(key)).isEqualTo("v");
        assertThat(cache.iterator().next().getKey()).isEqualTo(key);
    }

    @Test
    void unwrapsToEngineConfigurationAndImplementation() {
        CacheManager manager = TierSetup.L1_ONLY.open(provider, dir);
        Cache<String, String> cache = manager.createCache("unwrap", new TierCacheConfiguration<String, String>()
                .setTypes(String.class, String.class).setStatisticsEnabled(true));

        assertThat(cache.unwrap(TierCache.class)).isSameAs(cache);
        assertThat(cache.unwrap(SyncEngine.class)).isSameAs(manager.unwrap(SyncEngine.class));
        assertThat(cache.unwrap(TierCacheConfiguration.class).isStatisticsEnabled()).isTrue();
        assertThat(cache.getConfiguration(CompleteConfiguration.class).getKeyType()).isEqualTo(String.class);
        assertThatThrownBy(() -> cache.unwrap(String.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void durabilityThatNeedsL3IsRefusedWithoutIt() {
        CacheManager manager = TierSetup.L1_ONLY.open(provider, dir);

        assertThatThrownBy(() -> manager.createCache("durable", new TierCacheConfiguration<String, String>()
                .setDurability(io.tiercache.engine.Durability.DURABLE)))
                .isInstanceOf(javax.cache.CacheException.class)
                .hasMessageContaining("tiercache.sql.enabled=false");
    }
}
