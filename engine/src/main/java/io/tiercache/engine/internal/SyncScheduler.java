package io.tiercache.engine.internal;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncOptions;
import io.tiercache.engine.SyncReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link Reconciler} in the background: every {@code merkleSyncIntervalMs} (0: never on a timer), soon after L2
 * recovered, and again with a growing backoff after a run that was skipped or stopped (L3 or L2 unavailable, WAL not
 * drained yet), until one completes. Each background start waits a random {@code 0..merkleCalcJitterMs} first, so
 * nodes sharing the tiers spread their walks.
 */
public final class SyncScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncScheduler.class);
    private static final long MAX_BACKOFF_MS = 60_000;

    private final Reconciler reconciler;
    private final long intervalMs;
    private final long jitterMs;
    private final long backoffMs;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "tiercache-merkle-sync");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> next;
    private int failures;
    private volatile SyncReport last;

    public SyncScheduler(Reconciler reconciler, SyncEngineConfig config) {
        this.reconciler = reconciler;
        this.intervalMs = config.merkleSyncIntervalMs();
        this.jitterMs = config.merkleCalcJitterMs();
        this.backoffMs = config.sqlRetryBackoffMs();
    }

    /** Starts the timer (if an interval is configured). */
    public synchronized void start() {
        if (intervalMs > 0) {
            schedule(intervalMs);
        }
    }

    /** Asks for a run soon (after the jitter), e.g. because L2 came back. */
    public synchronized void requestSoon() {
        schedule(0);
    }

    /** Runs now on the caller's thread, and records the report (on-demand and startup runs). */
    public SyncReport runNow(SyncOptions options) {
        SyncReport report = reconciler.run(options);
        recorded(report);
        return report;
    }

    /** The last run's report, null before the first. */
    public SyncReport last() {
        return last;
    }

    /** Whether the last run could not vouch for L2 (skipped or stopped): L2 may hold copies L3 does not. */
    public boolean stale() {
        SyncReport report = last;
        return report != null && !report.complete();
    }

    private synchronized void schedule(long delayMs) {
        if (executor.isShutdown()) {
            return;
        }
        long delay = delayMs + (jitterMs > 0 ? ThreadLocalRandom.current().nextLong(jitterMs + 1) : 0);
        if (next != null && !next.isDone()) {
            if (next.getDelay(TimeUnit.MILLISECONDS) <= delay) {
                return;
            }
            next.cancel(false);
        }
        next = executor.schedule(this::runScheduled, delay, TimeUnit.MILLISECONDS);
    }

    private void runScheduled() {
        try {
            runNow(SyncOptions.defaults());
        } catch (RuntimeException e) {
            LOG.error("background merkle sync failed", e);
            recorded(null);
        }
    }

    private synchronized void recorded(SyncReport report) {
        if (report != null) {
            last = report;
        }
        if (report != null && report.complete()) {
            failures = 0;
            if (report.tier(io.tiercache.engine.Tier.L2).repaired() + report.tier(io.tiercache.engine.Tier.L2).removed()
                    > 0) {
                LOG.info("merkle sync repaired L2: {}", report);
            }
            if (intervalMs > 0 && (next == null || next.isDone())) {
                schedule(intervalMs);
            }
            return;
        }
        failures = Math.min(failures + 1, 20);
        long backoff = Math.min(backoffMs << Math.min(failures - 1, 16), Math.max(MAX_BACKOFF_MS, intervalMs));
        LOG.debug("merkle sync incomplete; retrying in {} ms", backoff);
        schedule(backoff);
    }

    @Override
    public synchronized void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
