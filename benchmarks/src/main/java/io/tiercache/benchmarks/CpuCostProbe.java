package io.tiercache.benchmarks;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * CPU cost per operation, the same operations and data as {@link JCacheBenchmark}, on one thread. Throughput on a
 * shared 2-core machine swings with other processes' load; CPU time spent per operation does not, so this is the
 * load-independent companion of the JMH ratios. "thread" is the calling thread's CPU time; "process" is the whole
 * JVM's (so it includes tiercache's flusher writing SQLite, the JIT and the GC).
 *
 * <p>Run: {@code java -cp <benchmarks classpath> io.tiercache.benchmarks.CpuCostProbe [ops [operation [provider]]]}.
 * {@code -Dprobe.keys=N} changes the key count (100 keeps everything in the CPU caches); {@code -Dprobe.threads=N}
 * runs each operation on N threads at once, as the JMH benchmark does with 2: "thread" is then the workers' CPU per
 * operation, "flusher" tiercache's write-behind thread's, and "wall" the throughput of the round.
 */
public final class CpuCostProbe {
    private static final int KEYS = Integer.getInteger("probe.keys", 10_000);
    private static final int THREADS = Integer.getInteger("probe.threads", 1);
    private static final String FLUSHER = "tiercache-flusher";

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
                double done = (double) n * THREADS;
                System.out.printf("%-10s %-20s thread %9.0f ns/op   process %9.0f ns/op   flusher %7.0f ns/op"
                                + "   wall %7.3f ops/us   (%d ops x %d threads)%n", provider, op,
                        cost.threadNanos / done, cost.processNanos / done, cost.flusherNanos / done,
                        done / (cost.wallNanos / 1_000.0), n, THREADS);
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

    private record Cost(double threadNanos, double processNanos, double flusherNanos, double wallNanos) {
    }

    /** {@code n} operations on each of {@link #THREADS} threads started together. */
    private static Cost run(Cache<String, String> cache, String op, String[] keys, String[] missing, String[] values,
                            int n) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] workerNanos = new long[THREADS];
        Thread[] workers = new Thread[THREADS];
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < THREADS; t++) {
            int worker = t;
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long cpu0 = threads.getCurrentThreadCpuTime();
                operate(cache, op, keys, missing, values, n, new SplittableRandom(42 + worker));
                workerNanos[worker] = threads.getCurrentThreadCpuTime() - cpu0;
            }, "probe-" + t);
            workers[t].start();
        }
        long flusher0 = flusherCpuNanos(threads);
        long process0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        start.countDown();
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the probe ran", e);
            }
        }
        long wall = System.nanoTime() - wall0;
        long process = os.getProcessCpuTime() - process0;
        long flusher = flusherCpuNanos(threads) - flusher0;
        return new Cost(LongStream.of(workerNanos).sum(), process, flusher, wall);
    }

    private static void operate(Cache<String, String> cache, String op, String[] keys, String[] missing,
                                String[] values, int n, SplittableRandom random) {
        long sink = 0;
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
        if (sink == 42) {
            System.out.print("");
        }
    }

    /** CPU time of tiercache's flusher thread so far (0 without one). */
    private static long flusherCpuNanos(ThreadMXBean threads) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().equals(FLUSHER)) {
                return Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return 0;
    }
}
