package io.tiercache.jcache;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes (CacheManagers with engines of their own on the machine's Redis, no L3) increment one key with
 * {@code invoke} at once, so each node's compare-and-set keeps losing to the other's and its engine retries the
 * entry processor. Node A's synchronous listener must hear exactly one event per increment A made: what a lost
 * attempt recorded is dropped before the retry, not dispatched with it.
 */
class RetriedInvokeEventsIT {
    private static final int INCREMENTS_PER_NODE = 1_500;
    /** Events per listener id: listeners are built from a factory, so the test finds them by a static key. */
    static final ConcurrentHashMap<String, AtomicLong> HEARD = new ConcurrentHashMap<>();

    private final RedisNodes nodes = new RedisNodes("tcretry:");

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    /** Counts the created and updated events it hears under {@code id}. */
    public static final class Counting implements CacheEntryCreatedListener<String, Long>,
            CacheEntryUpdatedListener<String, Long>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String id;

        public Counting(String id) {
            this.id = id;
        }

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends Long>> events) {
            events.forEach(e -> HEARD.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet());
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends Long>> events) {
            events.forEach(e -> HEARD.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet());
        }
    }

    private Cache<String, Long> node(String name, String listenerId) {
        CacheManager manager = nodes.node("retry-" + name);
        MutableConfiguration<String, Long> config = new MutableConfiguration<String, Long>()
                .setTypes(String.class, Long.class);
        if (listenerId != null) {
            config.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                    FactoryBuilder.factoryOf(new Counting(listenerId)), null, false, true));
        }
        return manager.createCache("counters", config);
    }

    @Test
    void aNodeHearsOneEventPerIncrementItMadeThoughItsAttemptsKeptLosing() throws Exception {
        String listenerId = UUID.randomUUID().toString();
        Cache<String, Long> a = node("a", listenerId);
        Cache<String, Long> b = node("b", null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (Cache<String, Long> node : List.of(a, b)) {
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < INCREMENTS_PER_NODE; i++) {
                    node.invoke("hits", (entry, args) -> {
                        entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L);
                        return null;
                    });
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(a.get("hits")).as("every increment of both nodes counted once")
                .isEqualTo(2L * INCREMENTS_PER_NODE);
        assertThat(HEARD.getOrDefault(listenerId, new AtomicLong()).get())
                .as("events A's listener heard: one per increment A made").isEqualTo(INCREMENTS_PER_NODE);
    }
}
