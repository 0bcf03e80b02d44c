package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.TimeSource;
import io.tiercache.hibernate.model.Person;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.stat.CacheRegionStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes share one L3, the first node's clock 30 s ahead. An entry it cached is stamped in its future; the slow
 * node's hybrid clock moves past that stamp the first time it sees the entry, so its next transaction can read it
 * instead of missing until its wall clock catches up.
 */
class SkewedClockTest {
    private static final long SKEW_MILLIS = 30_000;

    @Test
    void a_slow_node_reads_what_a_fast_node_cached_after_seeing_it_once(@TempDir Path dir) {
        AtomicLong wall = new AtomicLong(1_700_000_000_000L);
        Map<String, Object> shared = HibernateFixture.settings();
        shared.put(AvailableSettings.HBM2DDL_AUTO, "create");
        String l3 = "jdbc:sqlite:" + dir.resolve("l3.db");

        try (SyncEngine fastEngine = engine(dir.resolve("fast"), l3, () -> wall.get() + SKEW_MILLIS);
             SyncEngine slowEngine = engine(dir.resolve("slow"), l3, wall::get);
             SessionFactory fast = node(shared, fastEngine);
             SessionFactory slow = node(withoutSchemaExport(shared), slowEngine)) {
            fast.inTransaction(session -> session.persist(new Person(1, "ada@example.com", "Ada")));
            fast.getCache().evictAllRegions();
            fast.inTransaction(session -> session.find(Person.class, 1L));
            fastEngine.forceFlush().join();

            slow.inTransaction(session -> session.find(Person.class, 1L));
            CacheRegionStatistics people = HibernateFixture.region(slow, Person.class);
            assertThat(people.getMissCount()).as("stamped in this node's future").isEqualTo(1);

            slow.inTransaction(session -> assertThat(session.find(Person.class, 1L).name).isEqualTo("Ada"));
            assertThat(people.getHitCount()).as("the clock moved past the stamp it saw").isEqualTo(1);
        }
    }

    private static SyncEngine engine(Path dataDir, String l3, TimeSource clock) {
        return SyncEngine.start(SyncEngineConfig.builder().dataDir(dataDir).sqlUrl(l3).timeSource(clock).build());
    }

    private static SessionFactory node(Map<String, Object> shared, SyncEngine engine) {
        Map<String, Object> settings = new HashMap<>(shared);
        settings.put(TierCacheSettings.ENGINE, engine);
        return HibernateFixture.build(settings);
    }

    private static Map<String, Object> withoutSchemaExport(Map<String, Object> shared) {
        Map<String, Object> settings = new HashMap<>(shared);
        settings.put(AvailableSettings.HBM2DDL_AUTO, "none");
        return settings;
    }
}
