package io.tiercache.jcache;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes (CacheManagers with engines of their own) sharing the machine's Redis under a key prefix of this test's
 * own: a value node B serves from its near cache gives way to node A's later write or removal, as B's L1 does.
 */
class NearCacheCoherenceIT {
    private final RedisNodes nodes = new RedisNodes("tcnear:");

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    private Cache<String, String> node(String name) {
        CacheManager manager = nodes.node("near-" + name);
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class);
        Cache<String, String> cache = manager.getCache("shared", String.class, String.class);
        return cache != null ? cache : manager.createCache("shared", config);
    }

    @Test
    void anotherNodesWriteAndRemovalReplaceTheNearValue() throws Exception {
        Cache<String, String> a = node("a");
        Cache<String, String> b = node("b");
        try {
            a.put("k", "one");
            assertThat(await(() -> b.get("k"), "one")).as("B reads A's first write").isTrue();
            assertThat(b.get("k")).isEqualTo("one");
            assertThat(b.unwrap(TierCache.class).nearCacheSize()).as("B serves it from its near cache").isEqualTo(1);

            a.put("k", "two");
            assertThat(await(() -> b.get("k"), "two")).as("B sees A's overwrite").isTrue();

            a.remove("k");
            assertThat(await(() -> b.get("k"), null)).as("B sees A's removal").isTrue();
        } finally {
            a.clear();
        }
    }

    /** Polls until {@code read} answers {@code expected} (true) or 10 s pass (false). */
    private static boolean await(Supplier<String> read, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String value = read.get();
            if (expected == null ? value == null : expected.equals(value)) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }
}
