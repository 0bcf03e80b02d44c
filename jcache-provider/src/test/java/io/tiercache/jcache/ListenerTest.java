package io.tiercache.jcache;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.EventType;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerTest {
    @TempDir
    Path dir;

    private final TierCachingProvider provider = new TierCachingProvider();
    private final ManualClock clock = new ManualClock();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private Cache<String, String> cacheWith(TierSetup setup, RecordingListener listener, boolean oldValues,
                                            boolean synchronous, OnlyKeysStartingWithK filter) {
        CacheManager manager = setup.open(provider, dir, clock);
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 5)));
        config.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(listener), filter == null ? null : FactoryBuilder.factoryOf(filter),
                oldValues, synchronous));
        return manager.createCache("events", config);
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void everyChangeIsReportedWithOldValues(TierSetup setup) {
        RecordingListener listener = new RecordingListener();
        Cache<String, String> cache = cacheWith(setup, listener, true, true, null);

        cache.put("a", "1");
        cache.put("a", "2");
        cache.remove("a");
        cache.put("b", "x");
        clock.advance(java.time.Duration.ofMinutes(6));
        assertThat(cache.get("b")).isNull();

        assertThat(listener.events).containsExactly(
                "CREATED a 1 -", "UPDATED a 2 1", "REMOVED a 2 2", "CREATED b x -", "EXPIRED b x x");
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void listenersNotAskingForOldValuesGetNone(TierSetup setup) {
        RecordingListener listener = new RecordingListener();
        Cache<String, String> cache = cacheWith(setup, listener, false, true, null);

        cache.put("a", "1");
        cache.put("a", "2");
        cache.remove("a");

        assertThat(listener.events).containsExactly("CREATED a 1 -", "UPDATED a 2 -", "REMOVED a null -");
    }

    static final class OnlyKeysStartingWithK implements CacheEntryEventFilter<String, String>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean evaluate(javax.cache.event.CacheEntryEvent<? extends String, ? extends String> event) {
            return event.getKey().startsWith("k") && event.getEventType() != EventType.REMOVED;
        }
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void filtersChooseWhatListenersSee(TierSetup setup) {
        RecordingListener listener = new RecordingListener();
        Cache<String, String> cache = cacheWith(setup, listener, true, true, new OnlyKeysStartingWithK());

        cache.put("k1", "a");
        cache.put("x1", "b");
        cache.remove("k1");

        assertThat(listener.events).containsExactly("CREATED k1 a -");
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void asynchronousListenersHearEverythingInOrder(TierSetup setup) {
        RecordingListener listener = new RecordingListener();
        Cache<String, String> cache = cacheWith(setup, listener, true, false, null);

        for (int i = 0; i < 50; i++) {
            cache.put("k", "v" + i);
        }
        cache.close();

        assertThat(listener.events).hasSize(50).startsWith("CREATED k v0 -").endsWith("UPDATED k v49 v48");
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void deregisteredListenersHearNothingMore(TierSetup setup) {
        RecordingListener listener = new RecordingListener();
        Cache<String, String> cache = cacheWith(setup, listener, true, true, null);
        MutableCacheEntryListenerConfiguration<String, String> registered =
                (MutableCacheEntryListenerConfiguration<String, String>) cache
                        .getConfiguration(MutableConfiguration.class).getCacheEntryListenerConfigurations()
                        .iterator().next();

        cache.put("a", "1");
        cache.deregisterCacheEntryListener(registered);
        cache.put("a", "2");

        assertThat(listener.events).containsExactly("CREATED a 1 -");
    }
}
