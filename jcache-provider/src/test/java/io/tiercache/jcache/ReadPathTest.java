package io.tiercache.jcache;

import io.tiercache.engine.SyncEngine;
import io.tiercache.jcache.codec.KeyCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lock-free read path: what a get returns must always follow the engine's current item,
 * whoever wrote it, and a read that changes the entry (access expiry, expired entry) still does so.
 */
class ReadPathTest {
    @TempDir
    Path dir;

    private final TierCachingProvider provider = new TierCachingProvider();
    private final ManualClock clock = new ManualClock();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private <V> Cache<String, V> cache(TierSetup setup, Class<V> valueType, MutableConfiguration<String, V> config) {
        CacheManager manager = setup.open(provider, dir, clock);
        return manager.createCache("reads", config.setTypes(String.class, valueType));
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void aRememberedValueGivesWayToEveryLaterWrite(TierSetup setup) {
        Cache<String, String> cache = cache(setup, String.class, new MutableConfiguration<>());
        cache.put("k", "one");
        assertThat(cache.get("k")).isEqualTo("one");
        assertThat(cache.get("k")).isEqualTo("one");

        cache.put("k", "two");
        assertThat(cache.get("k")).isEqualTo("two");

        // Writes that bypass the cache (straight to its engine item) are seen too.
        SyncEngine engine = cache.unwrap(SyncEngine.class);
        String id = KeyCodec.namespaceOf(cache.getName()) + "k";
        engine.submit(id, new DefaultCodecBytes("three").bytes()).join();
        assertThat(cache.get("k")).isEqualTo("three");
        engine.delete(id).join();
        assertThat(cache.get("k")).isNull();

        cache.put("k", "four");
        cache.remove("k");
        assertThat(cache.get("k")).isNull();
        assertThat(cache.containsKey("k")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void mutableValuesAreStillCopiedOnEveryRead(TierSetup setup) {
        Cache<String, ArrayList> cache = cache(setup, ArrayList.class, new MutableConfiguration<>());
        ArrayList<String> value = new ArrayList<>(List.of("a"));
        cache.put("k", value);

        ArrayList<?> first = cache.get("k");
        ArrayList<?> second = cache.get("k");
        assertThat(first).isEqualTo(value).isNotSameAs(value).isNotSameAs(second);
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void anAccessThatExtendsTheExpiryStillDoes(TierSetup setup) {
        Cache<String, String> cache = cache(setup, String.class, new MutableConfiguration<String, String>()
                .setExpiryPolicyFactory(AccessedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 2))));
        cache.put("k", "v");
        for (int i = 0; i < 3; i++) {
            clock.advance(java.time.Duration.ofMinutes(1));
            assertThat(cache.get("k")).isEqualTo("v");
        }
        clock.advance(java.time.Duration.ofMinutes(3));
        assertThat(cache.get("k")).isNull();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void aListenerRegisteredLaterHearsTheExpiryAGetFinds(TierSetup setup) {
        Cache<String, String> cache = cache(setup, String.class, new MutableConfiguration<String, String>()
                .setExpiryPolicyFactory(AccessedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 1))));
        cache.put("k", "v");
        assertThat(cache.get("k")).isEqualTo("v");

        RecordingListener listener = new RecordingListener();
        cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(listener), null, true, true));
        clock.advance(java.time.Duration.ofMinutes(2));
        assertThat(cache.get("k")).isNull();
        assertThat(listener.events).containsExactly("EXPIRED k v v");
    }

    /** A String as DefaultCodec stores it in an eternal store-by-value entry: tag 1, then UTF-8 (a bare envelope). */
    private record DefaultCodecBytes(String value) {
        byte[] bytes() {
            byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] out = new byte[utf8.length + 1];
            out[0] = 1;
            System.arraycopy(utf8, 0, out, 1, utf8.length);
            return out;
        }
    }
}
