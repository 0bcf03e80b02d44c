package io.tiercache.jcache;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-key atomicity under contention, on every tier configuration. */
class ConcurrencyTest {
    private static final int THREADS = 8;

    @TempDir
    Path dir;

    private final TierCachingProvider provider = new TierCachingProvider();
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        provider.close();
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void concurrentInvokeIncrementsLoseNothing(TierSetup setup) throws Exception {
        CacheManager manager = setup.open(provider, dir);
        Cache<String, Long> counters = manager.createCache("counters",
                new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));

        runConcurrently(() -> {
            for (int i = 0; i < 10_000; i++) {
                counters.invoke("hits", (entry, args) -> {
                    entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L);
                    return null;
                });
            }
            return null;
        });

        assertThat(counters.get("hits")).isEqualTo(80_000L);
    }

    @ParameterizedTest
    @EnumSource(TierSetup.class)
    void putIfAbsentRacesHaveExactlyOneWinner(TierSetup setup) throws Exception {
        CacheManager manager = setup.open(provider, dir);
        Cache<String, Integer> locks = manager.createCache("locks",
                new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class));
        int rounds = 200;
        CyclicBarrier start = new CyclicBarrier(THREADS);

        List<Integer> wins = runConcurrently(() -> {
            int won = 0;
            for (int round = 0; round < rounds; round++) {
                start.await();
                if (locks.putIfAbsent("job-" + round, (int) Thread.currentThread().getId())) {
                    won++;
                }
            }
            return won;
        });

        assertThat(wins.stream().mapToInt(Integer::intValue).sum()).isEqualTo(rounds);
        for (int round = 0; round < rounds; round++) {
            assertThat(locks.containsKey("job-" + round)).isTrue();
        }
    }

    private <T> List<T> runConcurrently(Callable<T> task) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            futures.add(pool.submit(task));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(2, TimeUnit.MINUTES));
        }
        return results;
    }
}
