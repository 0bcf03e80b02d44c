package io.tiercache.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.config.Config;
import org.redisson.jcache.configuration.RedissonConfiguration;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The JCache API on Redis: tiercache (L1 + Redis + MariaDB, MEMORY durability) against Redisson's JCache provider on
 * the same Redis, in one run.
 * <ul>
 *   <li>{@code put}: target tiercache at least 3x Redisson (tiercache writes behind in batches).</li>
 *   <li>{@code getL2Hit}: L1 kept cold (its byte budget holds a small share of the keys), so a hit costs one Redis
 *       round trip; target tiercache within 1.2x of Redisson's get.</li>
 * </ul>
 * Run: {@code benchmarks/run.sh RedisJCacheBenchmark} (needs Redis on 127.0.0.1:6379 and MariaDB on 3306).
 * The two measurements are the nested classes {@link Put} and {@link GetL2Hit}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(2)
public abstract class RedisJCacheBenchmark {
    private static final int KEYS = 20_000;
    private static final String DATABASE = "tiercache_bench_redis";

    @Param({"tiercache", "redisson"})
    public String provider;

    private CachingProvider cachingProvider;
    private CacheManager manager;
    Cache<String, String> cache;
    String[] keys;
    String[] values;
    private Path dataDir;
    private String prefix;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        prefix = "tcbench" + System.nanoTime() + ":";
        MutableConfiguration<String, String> configuration = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class);
        if (provider.equals("tiercache")) {
            BenchServers.recreateDatabase(DATABASE);
            dataDir = Files.createTempDirectory("tiercache-redis-bench");
            Properties properties = new Properties();
            properties.setProperty("tiercache.data-dir", dataDir.toString());
            properties.setProperty("tiercache.redis.url", BenchServers.REDIS_URL);
            properties.setProperty("tiercache.redis.prefix", prefix);
            properties.setProperty("tiercache.sql.url", BenchServers.MYSQL_SERVER + DATABASE);
            properties.setProperty("tiercache.sql.username", "root");
            properties.setProperty("tiercache.l1.max-bytes", l1MaxBytes());
            cachingProvider = Caching.getCachingProvider("io.tiercache.jcache.TierCachingProvider");
            manager = cachingProvider.getCacheManager(cachingProvider.getDefaultURI(),
                    RedisJCacheBenchmark.class.getClassLoader(), properties);
            cache = manager.createCache("bench", configuration);
        } else {
            Config redisson = new Config();
            redisson.useSingleServer().setAddress(BenchServers.REDIS_URL);
            cachingProvider = Caching.getCachingProvider("org.redisson.jcache.JCachingProvider");
            manager = cachingProvider.getCacheManager();
            cache = manager.createCache(prefix + "bench", RedissonConfiguration.fromConfig(redisson, configuration));
        }
        keys = new String[KEYS];
        values = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "user:" + i;
            values[i] = "{\"id\":" + i + ",\"name\":\"user number " + i + "\",\"plan\":\"pro\",\"active\":true}";
            putWhenAccepted(keys[i], values[i]);
        }
    }

    /** A small L1 refuses writes while its write-behind queue is full (backpressure): loading waits it out. */
    private void putWhenAccepted(String key, String value) throws InterruptedException {
        while (true) {
            try {
                cache.put(key, value);
                return;
            } catch (javax.cache.CacheException e) {
                if (!String.valueOf(e.getMessage()).contains("backpressure")
                        && !String.valueOf(e.getMessage()).contains("memory pressure")) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (provider.equals("tiercache")) {
            io.tiercache.engine.EngineStats stats = cache.unwrap(io.tiercache.engine.SyncEngine.class).stats();
            System.out.printf("%n[tiercache reads] L1 hits %d, L2 hits %d, L3 hits %d, misses %d%n",
                    stats.l1Hits(), stats.l2Hits(), stats.l3Hits(), stats.misses());
        }
        manager.destroyCache(provider.equals("tiercache") ? "bench" : prefix + "bench");
        manager.close();
        cachingProvider.close();
        BenchServers.deleteRedisKeys(prefix + "*");
        if (provider.equals("tiercache")) {
            BenchServers.deleteFolder(dataDir);
            BenchServers.dropDatabase(DATABASE);
        }
    }

    /** tiercache's L1 byte budget for this benchmark. */
    abstract String l1MaxBytes();

    int randomKey() {
        return ThreadLocalRandom.current().nextInt(KEYS);
    }

    /** {@code put} with the default 256 MiB L1. Target: tiercache at least 3x Redisson. */
    public static class Put extends RedisJCacheBenchmark {
        @Override
        String l1MaxBytes() {
            return "256MB";
        }

        @Benchmark
        public void put() {
            int i = randomKey();
            cache.put(keys[i], values[i]);
        }
    }

    /** {@code get} with a 1 MB L1 that holds a small share of the keys, so a hit is served by Redis. */
    public static class GetL2Hit extends RedisJCacheBenchmark {
        @Override
        String l1MaxBytes() {
            return "1MB";
        }

        @Benchmark
        public String getL2Hit() {
            return cache.get(keys[randomKey()]);
        }
    }
}
