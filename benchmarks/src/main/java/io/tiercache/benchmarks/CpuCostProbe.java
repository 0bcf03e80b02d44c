package io.tiercache.benchmarks;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * CPU cost per operation, the same operations and data as {@link JCacheBenchmark}, on one thread. Throughput on a
 * shared 2-core machine swings with other processes' load; CPU time spent per operation does not, so this is the
 * load-independent companion of the JMH ratios. "thread" is the calling thread's CPU time; "process" is the whole
 * JVM's (so it includes tiercache's flusher writing SQLite, the JIT and the GC).
 *
 * <p>Run: {@code java -cp <benchmarks classpath> io.tiercache.benchmarks.CpuCostProbe [ops [operation [provider]]]}.
 */
public final class CpuCostProbe {
    private static final int KEYS = Integer.getInteger("probe.keys", 10_000);

    private CpuCostProbe() {
    }

    public static void main(String[] args) throws IOException {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        String only = args.length > 1 ? args[1] : null;
        String[] providers = args.length > 2 ? new String[]{args[2]} : new String[]{"tiercache", "caffeine"};
        for (String provider : providers) {
            probe(provider, ops, only);
        }
    }

    private static void probe(String provider, int ops, String only) throws IOException {
        Properties properties = new Properties();
        Path dataDir = null;
        CachingProvider cachingProvider;
        if (provider.equals("tiercache")) {
            dataDir = Files.createTempDirectory("tiercache-probe");
            properties.setProperty("tiercache.data-dir", dataDir.toString());
            cachingProvider = Caching.getCachingProvider("io.tiercache.jcache.TierCachingProvider");
        } else {
            cachingProvider = Caching.getCachingProvider(
                    "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider");
        }
        CacheManager manager = cachingProvider.getCacheManager(cachingProvider.getDefaultURI(),
                CpuCostProbe.class.getClassLoader(), properties);
        Cache<String, String> cache = manager.createCache("probe", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        String[] keys = new String[KEYS];
        String[] missing = new String[KEYS];
        String[] values = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "user:" + i;
            missing[i] = "absent:" + i;
            values[i] = "{\"id\":" + i + ",\"name\":\"user number " + i + "\",\"plan\":\"pro\",\"active\":true}";
            cache.put(keys[i], values[i]);
        }
        try {
            for (String op : new String[]{"getHit", "getMiss", "put", "mixed90Read10Write"}) {
                if (only != null && !only.equals(op)) {
                    continue;
                }
                int n = op.equals("getMiss") && provider.equals("tiercache") ? ops / 50 : ops;
                run(cache, op, keys, missing, values, n); // warm-up
                run(cache, op, keys, missing, values, n);
                Cost cost = run(cache, op, keys, missing, values, n);
                System.out.printf("%-10s %-20s thread %9.0f ns/op   process %9.0f ns/op   (%d ops)%n",
                        provider, op, cost.threadNanos / n, cost.processNanos / n, n);
            }
        } finally {
            manager.close();
            cachingProvider.close();
            if (dataDir != null) {
                try (Stream<Path> files = Files.walk(dataDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    private record Cost(double threadNanos, double processNanos) {
    }

    private static Cost run(Cache<String, String> cache, String op, String[] keys, String[] missing, String[] values,
                            int n) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        SplittableRandom random = new SplittableRandom(42);
        long sink = 0;
        long thread0 = threads.getCurrentThreadCpuTime();
        long process0 = os.getProcessCpuTime();
        for (int k = 0; k < n; k++) {
            int i = random.nextInt(KEYS);
            switch (op) {
                case "getHit" -> sink += cache.get(keys[i]).length();
                case "getMiss" -> sink += cache.get(missing[i]) == null ? 1 : 0;
                case "put" -> cache.put(keys[i], values[i]);
                default -> {
                    if (random.nextInt(10) == 0) {
                        cache.put(keys[i], values[i]);
                    } else {
                        sink += cache.get(keys[i]).length();
                    }
                }
            }
        }
        long thread = threads.getCurrentThreadCpuTime() - thread0;
        long process = os.getProcessCpuTime() - process0;
        if (sink == 42) {
            System.out.print("");
        }
        return new Cost(thread, process);
    }
}
