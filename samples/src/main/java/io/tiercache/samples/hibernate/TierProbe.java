package io.tiercache.samples.hibernate;

import io.tiercache.engine.EngineStats;
import io.tiercache.engine.SyncEngine;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

import java.util.function.Supplier;

/**
 * Says which tier served a read, from the counters that changed during it: Hibernate's entity loads (the database)
 * and the engine's hits per tier. Nothing is inferred from timing.
 */
final class TierProbe {
    private final SyncEngine engine;
    private final Statistics statistics;

    TierProbe(SessionFactory sessionFactory) {
        this.engine = SampleHibernate.engine(sessionFactory);
        this.statistics = sessionFactory.getStatistics();
    }

    record Read<T>(T value, String servedBy) {
    }

    <T> Read<T> read(Supplier<T> read) {
        long loads = statistics.getEntityLoadCount();
        EngineStats before = engine.stats();
        T value = read.get();
        EngineStats after = engine.stats();
        String servedBy;
        if (statistics.getEntityLoadCount() > loads) {
            servedBy = "the database (SQL)";
        } else if (after.l1Hits() > before.l1Hits()) {
            servedBy = "L1 (this JVM's memory)";
        } else if (after.l2Hits() > before.l2Hits()) {
            servedBy = "L2 (Redis)";
        } else if (after.l3Hits() > before.l3Hits()) {
            servedBy = "L3 (SQL)";
        } else {
            servedBy = "an unknown tier";
        }
        return new Read<>(value, servedBy);
    }
}
