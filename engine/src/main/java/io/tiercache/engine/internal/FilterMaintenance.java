package io.tiercache.engine.internal;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.cuckoo.CuckooFilter;
import io.tiercache.engine.cuckoo.CuckooSnapshot;
import io.tiercache.engine.tier.TierAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The existence filter's background thread: checks a restored snapshot against L3, rebuilds the filter whenever it
 * is not trusted or too full, and writes snapshots. One thread, so a rebuild and a snapshot never race; reads never
 * wait for it (they go to L3 while the filter is not trusted).
 */
final class FilterMaintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FilterMaintenance.class);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ExistenceFilter filter;
    private final FilterRebuild rebuild;
    private final FilterSnapshots snapshots;
    private final long backoffNanos;
    private final Thread thread;
    private volatile boolean closing;
    private CuckooSnapshot restored;
    private long retryAtNanos;

    FilterMaintenance(ExistenceFilter filter, FilterRebuild rebuild, FilterSnapshots snapshots,
                      SyncEngineConfig config) {
        this.filter = filter;
        this.rebuild = rebuild;
        this.snapshots = snapshots;
        this.backoffNanos = TimeUnit.MILLISECONDS.toNanos(config.sqlRetryBackoffMs());
        this.thread = new Thread(this::run, "tiercache-existence-filter");
        this.thread.setDaemon(true);
    }

    /** The stored snapshot's filter, to be used (untrusted) until its marker is checked. */
    Optional<CuckooFilter> restore() {
        restored = snapshots.load().orElse(null);
        return Optional.ofNullable(restored).map(CuckooSnapshot::filter);
    }

    void start() {
        thread.start();
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    long snapshotsWritten() {
        return snapshots.written();
    }

    FilterRebuild rebuild() {
        return rebuild;
    }

    private void run() {
        while (!closing) {
            if (System.nanoTime() - retryAtNanos >= 0) {
                try {
                    step();
                } catch (TierAccessException | RuntimeException e) {
                    if (closing) {
                        return;
                    }
                    LOG.warn("existence filter maintenance failed ({}); retrying in {} ms", e.getMessage(),
                            TimeUnit.NANOSECONDS.toMillis(backoffNanos));
                    retryAtNanos = System.nanoTime() + backoffNanos;
                }
            }
            LockSupport.parkNanos(this, TICK_NANOS);
        }
    }

    private void step() throws TierAccessException {
        // Read before anything from L3: only what is announced from this period on is recorded.
        long epoch = filter.followingEpoch();
        if (epoch < 0) {
            return;
        }
        if (restored != null) {
            CuckooSnapshot snapshot = restored;
            restored = null;
            if (snapshots.stillValid(snapshot)) {
                filter.trustRestored(epoch);
                LOG.info("existence filter restored from its snapshot ({} ids, load {})", snapshot.filter().size(),
                        String.format("%.3f", snapshot.filter().loadFactor()));
                return;
            }
        }
        if (filter.needsRebuild()) {
            long start = System.nanoTime();
            if (rebuild.run(epoch, () -> closing)) {
                LOG.info("existence filter rebuilt from L3 in {} ms ({} ids)",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), filter.current().size());
            }
            return;
        }
        snapshots.maybeWrite(filter, epoch);
    }

    /** Stops the thread, then writes a last snapshot (the engine has flushed every write by now). */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (!thread.isAlive() && filter.isTrusted()) {
                snapshots.writeFinal(filter);
            }
        } catch (TierAccessException | RuntimeException e) {
            LOG.warn("could not write the existence filter snapshot at shutdown: {}", e.getMessage());
        } finally {
            snapshots.close();
        }
    }
}
