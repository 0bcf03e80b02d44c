package io.tiercache.jcache;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Expiry driven by a manual clock: no sleeping. */
class ExpiryTest {
    private static final java.time.Duration MINUTE = java.time.Duration.ofMinutes(1);

    @TempDir
    Path dir;

    private final TierCachingProvider provider = new TierCachingProvider();
    private final ManualClock clock = new ManualClock();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private Cache<String, String> cache(TierSetup setup, Factory<? extends ExpiryPolicy> policy) {
        CacheManager manager = setup.open(provider, dir, clock);
        return manager.createCache("expiring", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class).setExpiryPolicyFactory(policy));
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void createdEntriesExpireAfterTheirDuration(TierSetup setup) {
        Cache<String, String> cache = cache(setup, CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 2)));
        cache.put("k", "v");

        clock.advance(MINUTE);
        assertThat(cache.get("k")).isEqualTo("v");
        clock.advance(MINUTE);
        assertThat(cache.containsKey("k")).isFalse();
        assertThat(cache.get("k")).isNull();
        assertThat(cache.iterator().hasNext()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void accessExtendsAnAccessedEntry(TierSetup setup) {
        Cache<String, String> cache = cache(setup, AccessedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 2)));
        cache.put("k", "v");

        for (int i = 0; i < 5; i++) {
            clock.advance(MINUTE);
            assertThat(cache.get("k")).isEqualTo("v");
        }
        clock.advance(MINUTE.multipliedBy(2));
        assertThat(cache.get("k")).isNull();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void updatesExtendAModifiedEntryButReadsDoNot(TierSetup setup) {
        Cache<String, String> cache = cache(setup, ModifiedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 2)));
        cache.put("k", "v1");
        clock.advance(MINUTE);
        cache.put("k", "v2");
        clock.advance(MINUTE);
        assertThat(cache.get("k")).isEqualTo("v2");
        clock.advance(MINUTE);
        assertThat(cache.get("k")).isNull();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void zeroCreationDurationStoresNothing(TierSetup setup) {
        Cache<String, String> cache = cache(setup, CreatedExpiryPolicy.factoryOf(Duration.ZERO));

        cache.put("k", "v");

        assertThat(cache.containsKey("k")).isFalse();
        assertThat(cache.putIfAbsent("k", "v")).isFalse();
        assertThat(cache.get("k")).isNull();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void eternalEntriesOutliveAnyClock(TierSetup setup) {
        Cache<String, String> cache = cache(setup, CreatedExpiryPolicy.factoryOf(Duration.ETERNAL));
        cache.put("k", "v");

        clock.advance(java.time.Duration.ofDays(3650));

        assertThat(cache.get("k")).isEqualTo("v");
    }
}
