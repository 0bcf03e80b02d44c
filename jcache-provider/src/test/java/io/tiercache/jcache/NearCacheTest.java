package io.tiercache.jcache;

import io.tiercache.engine.SyncEngine;
import io.tiercache.jcache.codec.KeyCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.TouchedExpiryPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The provider's near cache of decoded values: a repeated get is served without the engine, and never serves a value
 * its L1 entry no longer holds, whatever changed it.
 */
class NearCacheTest {
    @TempDir
    Path dir;

    private final TierCachingProvider provider = new TierCachingProvider();
    private final ManualClock clock = new ManualClock();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private <V> TierCache<String, V> cache(TierSetup setup, Class<V> valueType,
                                           MutableConfiguration<String, V> config) {
        CacheManager manager = setup.open(provider, dir, clock);
        return manager.createCache("near", config.setTypes(String.class, valueType)).unwrap(TierCache.class);
    }

    private static long l1Hits(Cache<?, ?> cache) {
        return cache.unwrap(SyncEngine.class).stats().l1Hits();
    }

    private static String id(Cache<?, ?> cache, String key) {
        return KeyCodec.namespaceOf(cache.getName()) + key;
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void aRepeatedGetIsAnsweredWithoutTheEngine(TierSetup setup) {
        TierCache<String, String> cache = cache(setup, String.class, new MutableConfiguration<>());
        cache.put("k", "v");
        assertThat(cache.get("k")).isEqualTo("v");
        long engineHits = l1Hits(cache);

        for (int i = 0; i < 10; i++) {
            assertThat(cache.get("k")).isEqualTo("v");
        }
        assertThat(l1Hits(cache)).as("engine L1 reads after the first get").isEqualTo(engineHits);
        assertThat(cache.nearCacheSize()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void everyKindOfWriteReplacesTheRememberedValue(TierSetup setup) {
        TierCache<String, String> cache = cache(setup, String.class, new MutableConfiguration<>());
        Map<String, Consumer<Cache<String, String>>> writes = Map.of(
                "put", c -> c.put("k", "put"),
                "getAndPut", c -> c.getAndPut("k", "getAndPut"),
                "replace", c -> c.replace("k", "replace"),
                "replaceIfEquals", c -> c.replace("k", "old", "replaceIfEquals"),
                "putAll", c -> c.putAll(Map.of("k", "putAll")),
                "invoke", c -> c.invoke("k", (entry, args) -> {
                    entry.setValue("invoke");
                    return null;
                }));
        for (Map.Entry<String, Consumer<Cache<String, String>>> write : writes.entrySet()) {
            cache.put("k", "old");
            assertThat(cache.get("k")).isEqualTo("old");
            assertThat(cache.get("k")).isEqualTo("old");
            write.getValue().accept(cache);
            assertThat(cache.get("k")).as(write.getKey()).isEqualTo(write.getKey());
        }
        Map<String, Consumer<Cache<String, String>>> removals = Map.of(
                "remove", c -> c.remove("k"),
                "removeIfEquals", c -> c.remove("k", "old"),
                "getAndRemove", c -> c.getAndRemove("k"),
                "removeAll(keys)", c -> c.removeAll(Set.of("k")),
                "removeAll", Cache::removeAll,
                "clear", Cache::clear,
                "engine delete", c -> c.unwrap(SyncEngine.class).delete(id(c, "k")).join());
        for (Map.Entry<String, Consumer<Cache<String, String>>> removal : removals.entrySet()) {
            cache.put("k", "old");
            assertThat(cache.get("k")).isEqualTo("old");
            assertThat(cache.get("k")).isEqualTo("old");
            removal.getValue().accept(cache);
            assertThat(cache.get("k")).as(removal.getKey()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void aGetThatStartsAfterAPutReturnedNeverSeesAnOlderValue(TierSetup setup) throws Exception {
        TierCache<String, Long> cache = cache(setup, Long.class, new MutableConfiguration<>());
        cache.put("k", 0L);
        AtomicLong completed = new AtomicLong();
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Runnable reader = () -> {
            while (!stop.get() && violation.get() == null) {
                long floor = completed.get();
                Long seen = cache.get("k");
                if (seen == null || seen < floor) {
                    violation.compareAndSet(null, "read " + seen + " after put " + floor + " returned");
                }
            }
        };
        Thread first = new Thread(reader);
        Thread second = new Thread(reader);
        first.start();
        second.start();
        try {
            for (long n = 1; n <= 20_000 && violation.get() == null; n++) {
                cache.put("k", n);
                completed.set(n);
            }
        } finally {
            stop.set(true);
            first.join();
            second.join();
        }
        assertThat(violation.get()).isNull();
    }

    @Test
    void aPutOfAnImmutableValueIsEncodedWhenStoredAndReadsBackAfterARestart() {
        Properties properties = TierSetup.SQLITE.properties(dir);
        properties.setProperty("tiercache.cache.on-create", "KEEP");
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class);
        CacheManager first = provider.getCacheManager(URI.create("test:deferred"), getClass().getClassLoader(),
                properties);
        Cache<String, String> cache = first.createCache("near", config);
        cache.put("k", "first");
        assertThat(cache.get("k")).isEqualTo("first");
        String last = null;
        for (int i = 0; i < 100; i++) {
            last = new String("value " + i);
            cache.put("k", last);
            // Served as put: an immutable value is neither encoded on the put nor decoded for the get.
            assertThat(cache.get("k")).isSameAs(last);
        }
        assertThat(cache.unwrap(TierCache.class).unencodedValue("k")).as("what L1 holds").isSameAs(last);
        SyncEngine engine = cache.unwrap(SyncEngine.class);
        byte[] stored = engine.get(id(cache, "k")).orElseThrow().payload();
        assertThat(new String(stored, 1, stored.length - 1, java.nio.charset.StandardCharsets.UTF_8))
                .as("encoded on demand as the codec encodes a put").isEqualTo(last);
        assertThat(engine.get(id(cache, "k")).orElseThrow().isIntact()).isTrue();
        first.close();

        CacheManager second = provider.getCacheManager(URI.create("test:deferred"), getClass().getClassLoader(),
                properties);
        assertThat(second.createCache("near", config).get("k")).isEqualTo("value 99");
    }

    @Test
    void droppingL1DropsTheDecodedValues() {
        // Without lower tiers, what L1 drops is gone: the near cache must not keep serving it.
        TierCache<String, String> cache = cache(TierSetup.L1_ONLY, String.class, new MutableConfiguration<>());
        cache.put("k", "v");
        assertThat(cache.get("k")).isEqualTo("v");
        assertThat(cache.get("k")).isEqualTo("v");

        cache.unwrap(SyncEngine.class).clearL1();
        assertThat(cache.nearCacheSize()).isZero();
        assertThat(cache.get("k")).isNull();
    }

    @Test
    void evictedEntriesLeaveTheNearCacheWithTheirL1Entry() {
        Properties properties = TierSetup.L1_ONLY.properties(dir);
        properties.setProperty("tiercache.l1.max-bytes", "64KB");
        properties.put("tiercache.time-source", clock);
        CacheManager manager = provider.getCacheManager(URI.create("test:near-evict-" + UUID.randomUUID()),
                getClass().getClassLoader(), properties);
        TierCache<String, String> cache = manager.createCache("near",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class))
                .unwrap(TierCache.class);
        SyncEngine engine = cache.unwrap(SyncEngine.class);
        String value = "x".repeat(100);
        for (int i = 0; i < 2_000; i++) {
            cache.put("k" + i, value);
            // Caffeine may refuse a new entry at once (frequency-based admission), so a get may already miss.
            assertThat(cache.get("k" + i)).isIn(value, null);
        }
        engine.stats(); // runs Caffeine's pending evictions, whose listener calls are synchronous
        long l1Items = engine.stats().l1Items();
        assertThat(l1Items).as("L1 evicted most entries").isLessThan(1_000);
        assertThat(cache.nearCacheSize()).isBetween(1L, l1Items);
        for (int i = 0; i < 2_000; i++) {
            boolean inL1 = engine.getCached(id(cache, "k" + i)).isPresent();
            assertThat(cache.get("k" + i) != null).as("k%d served iff L1 holds it", i).isEqualTo(inL1);
        }
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void aCreatedExpiryEndsServingAndIsReportedAsExpired(TierSetup setup) {
        TierCache<String, String> cache = cache(setup, String.class, new MutableConfiguration<String, String>()
                .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 1))));
        RecordingListener listener = new RecordingListener();
        cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(listener), null, true, true));
        cache.put("k", "v");
        assertThat(cache.get("k")).isEqualTo("v");
        assertThat(cache.get("k")).isEqualTo("v");
        assertThat(cache.nearCacheSize()).isEqualTo(1);

        clock.advance(java.time.Duration.ofSeconds(61));
        assertThat(cache.get("k")).isNull();
        assertThat(listener.events).containsExactly("CREATED k v -", "EXPIRED k v v");
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void aPolicyThatChangesEntriesOnAccessGetsNoNearCache(TierSetup setup) {
        TierCache<String, String> cache = cache(setup, String.class, new MutableConfiguration<String, String>()
                .setExpiryPolicyFactory(TouchedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 2))));
        assertThat(cache.nearCacheSize()).isEqualTo(-1);
        cache.put("k", "v");
        for (int i = 0; i < 3; i++) {
            clock.advance(java.time.Duration.ofMinutes(1));
            assertThat(cache.get("k")).isEqualTo("v");
        }
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void byteArraysAreCopiedForEveryCaller(TierSetup setup) {
        TierCache<String, byte[]> cache = cache(setup, byte[].class, new MutableConfiguration<>());
        byte[] stored = {1, 2, 3};
        cache.put("k", stored);
        stored[0] = 9;
        byte[] first = cache.get("k");
        first[1] = 9;
        byte[] second = cache.get("k");
        assertThat(cache.nearCacheSize()).isEqualTo(1);
        assertThat(second).containsExactly(1, 2, 3).isNotSameAs(first);
        second[2] = 9;
        assertThat(cache.get("k")).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void mutableValuesAreNotKept(TierSetup setup) {
        TierCache<String, java.util.ArrayList> cache = cache(setup, java.util.ArrayList.class,
                new MutableConfiguration<>());
        cache.put("k", new java.util.ArrayList<>(java.util.List.of("a")));
        cache.get("k");
        cache.get("k");
        assertThat(cache.nearCacheSize()).isZero();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void statisticsCountNearHits(TierSetup setup) {
        TierCache<String, String> cache = cache(setup, String.class,
                new MutableConfiguration<String, String>().setStatisticsEnabled(true));
        cache.put("k", "v");
        for (int i = 0; i < 3; i++) {
            cache.get("k");
        }
        cache.get("absent");
        assertThat(cache.statistics().getCacheHits()).isEqualTo(3);
        assertThat(cache.statistics().getCacheMisses()).isEqualTo(1);
        assertThat(cache.statistics().getCacheGets()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void eachCacheKeepsItsOwnValuesAndClosingStopsServing(TierSetup setup) {
        CacheManager manager = setup.open(provider, dir, clock);
        Cache<String, String> a = manager.createCache("a", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        Cache<String, String> b = manager.createCache("b", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        a.put("k", "a");
        b.put("k", "b");
        assertThat(a.get("k")).isEqualTo("a");
        assertThat(b.get("k")).isEqualTo("b");
        b.put("k", "b2");
        assertThat(a.get("k")).isEqualTo("a");
        assertThat(b.get("k")).isEqualTo("b2");

        manager.destroyCache("a");
        Cache<String, String> again = manager.createCache("a", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        assertThat(again.get("k")).isNull();
    }
}
