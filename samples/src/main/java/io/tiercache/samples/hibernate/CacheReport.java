package io.tiercache.samples.hibernate;

import org.hibernate.SessionFactory;
import org.hibernate.stat.CacheRegionStatistics;
import org.hibernate.stat.Statistics;

import java.io.PrintStream;
import java.util.Arrays;

/** Prints Hibernate's statistics as a reader wants them: what one step cost, and a table per cache region. */
final class CacheReport {
    private final PrintStream out;
    private final Statistics statistics;
    private long[] mark;

    CacheReport(PrintStream out, SessionFactory sessionFactory) {
        this.out = out;
        this.statistics = sessionFactory.getStatistics();
        this.mark = counters();
    }

    /** Starts a step: the next {@link #step} line counts from here (region totals keep counting). */
    void reset() {
        mark = counters();
    }

    /** One line: how much went to the database and how much the caches answered since the last reset. */
    void step(String label) {
        long[] now = counters();
        long[] d = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            d[i] = now[i] - mark[i];
        }
        out.printf("  %-24s SQL: %d entity loads, %d queries | second-level: %d hits, %d misses, %d puts"
                + " | query cache: %d hits, %d misses%n", label, d[0], d[1], d[2], d[3], d[4], d[5], d[6]);
        mark = now;
    }

    private long[] counters() {
        return new long[] {statistics.getEntityLoadCount(), statistics.getQueryExecutionCount(),
                statistics.getSecondLevelCacheHitCount(), statistics.getSecondLevelCacheMissCount(),
                statistics.getSecondLevelCachePutCount(), statistics.getQueryCacheHitCount(),
                statistics.getQueryCacheMissCount()};
    }

    /** Hits, misses, puts and entries of every region, as Hibernate's per-region statistics count them. */
    void regions(String title) {
        out.println(title);
        out.printf("  %-36s %6s %7s %6s %8s%n", "region", "hits", "misses", "puts", "entries");
        String[] names = statistics.getSecondLevelCacheRegionNames();
        Arrays.sort(names);
        for (String name : names) {
            CacheRegionStatistics region = statistics.getCacheRegionStatistics(name);
            if (region == null) {
                continue;
            }
            out.printf("  %-36s %6d %7d %6d %8s%n", shortName(name), region.getHitCount(), region.getMissCount(),
                    region.getPutCount(), entries(region));
        }
    }

    /** Entries held: in memory for an L1-only engine, else in the shared tier; -1 means the tier did not answer. */
    private static String entries(CacheRegionStatistics region) {
        long count = Math.max(region.getElementCountInMemory(), region.getElementCountOnDisk());
        return count < 0 ? "n/a" : Long.toString(count);
    }

    private static String shortName(String region) {
        return region.startsWith(Book.class.getPackageName() + ".")
                ? region.substring(Book.class.getPackageName().length() + 1) : region;
    }
}
