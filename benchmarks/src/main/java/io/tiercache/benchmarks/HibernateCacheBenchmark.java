package io.tiercache.benchmarks;

import io.tiercache.engine.EngineStats;
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

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hibernate's {@code session.find(Customer.class, id)} of a random one of 10,000 customers, each in a new Session
 * (what a request that reads one entity does), on every {@link HibernateSide side} in one run:
 * <ul>
 *   <li>{@code database}: no second-level cache, every load is a SELECT on MariaDB;</li>
 *   <li>{@code tiercache-l1}: our region factory on its embedded default, a load is an L1 hit
 *       (target: at least 10x {@code database});</li>
 *   <li>{@code tiercache-redis}: our region factory with Redis L2 and a warm L1 near cache
 *       (target: at least 2x {@code redisson});</li>
 *   <li>{@code tiercache-redis-l2}: the same with an L1 too small for the rows, so most loads come from Redis;</li>
 *   <li>{@code redisson}: Redisson's {@code RedissonRegionFactory} on the same Redis (its near-cache variant,
 *       {@code RedissonLocalCachedRegionFactory}, is not in the open-source edition).</li>
 * </ul>
 * Run: {@code benchmarks/run.sh HibernateCacheBenchmark} (needs MariaDB on 127.0.0.1:3306 and Redis on 6379).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(2)
public class HibernateCacheBenchmark {
    static final int ROWS = 10_000;

    @Param({HibernateSide.DATABASE, HibernateSide.TIERCACHE_L1, HibernateSide.TIERCACHE_REDIS,
            HibernateSide.TIERCACHE_REDIS_L2, HibernateSide.REDISSON})
    public String side;

    private HibernateSide running;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        running = HibernateSide.start(side, ROWS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        EngineStats stats = running.tiercacheStats();
        if (stats != null) {
            System.out.printf("%n[%s reads] L1 hits %d, L2 hits %d, L3 hits %d, misses %d%n", side,
                    stats.l1Hits(), stats.l2Hits(), stats.l3Hits(), stats.misses());
        }
        running.close();
    }

    @Benchmark
    public Customer find() {
        return running.find(1 + ThreadLocalRandom.current().nextInt(ROWS));
    }
}
