package io.tiercache.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The load-independent companion of {@link HibernateCacheBenchmark}: the same sides, data and {@code find}, on one
 * thread, reporting per find the wall time, the calling thread's CPU time and the whole JVM's CPU time (which adds
 * Redisson's or Lettuce's I/O threads, the JIT and the GC). CPU time of MariaDB and Redis is not in these numbers.
 *
 * <p>Run (after {@code benchmarks/run.sh} built the class path):
 * {@code java -cp "benchmarks/target/classes:$(cat benchmarks/target/jmh.classpath)"
 * io.tiercache.benchmarks.HibernateCpuProbe [finds [side]]}.
 */
public final class HibernateCpuProbe {
    private HibernateCpuProbe() {
    }

    public static void main(String[] args) throws Exception {
        int finds = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        List<String> sides = args.length > 1 ? List.of(args[1]) : HibernateSide.SIDES;
        for (String side : sides) {
            try (HibernateSide running = HibernateSide.start(side, HibernateCacheBenchmark.ROWS)) {
                run(running, finds); // warm-up
                run(running, finds);
                double[] cost = run(running, finds);
                System.out.printf("%-20s wall %9.0f ns/find   thread CPU %9.0f ns/find   process CPU %9.0f ns/find"
                        + "   (%d finds)%n", side, cost[0], cost[1], cost[2], finds);
            }
        }
    }

    /** Wall, thread CPU and process CPU nanoseconds per find. */
    private static double[] run(HibernateSide running, int finds) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        SplittableRandom random = new SplittableRandom(42);
        long wall = System.nanoTime();
        long thread = threads.getCurrentThreadCpuTime();
        long process = os.getProcessCpuTime();
        for (int i = 0; i < finds; i++) {
            if (running.find(1 + random.nextInt(HibernateCacheBenchmark.ROWS)) == null) {
                throw new IllegalStateException("a customer did not load on " + running.side());
            }
        }
        return new double[]{(double) (System.nanoTime() - wall) / finds,
                (double) (threads.getCurrentThreadCpuTime() - thread) / finds,
                (double) (os.getProcessCpuTime() - process) / finds};
    }
}
