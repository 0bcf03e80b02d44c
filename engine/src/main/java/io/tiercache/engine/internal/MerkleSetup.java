package io.tiercache.engine.internal;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncOptions;
import io.tiercache.engine.SyncReport;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.merkle.CacheTreeTier;
import io.tiercache.engine.redis.RedisTier;
import io.tiercache.engine.sql.L3MerkleView;
import io.tiercache.engine.sql.SqlTier;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Wires the engine's merkle side at start: the read API over whichever tiers keep trees and, with both L2 and L3,
 * the reconciler and its schedule. Then it runs the startup comparison, in the design's order: the WAL has drained,
 * so L3 is current; L2's roots are compared with L3's and divergent branches repaired within a budget, the rest
 * continuing in the background (as does the whole comparison when L2 is not connected yet).
 */
public final class MerkleSetup {
    private static final Logger LOG = LoggerFactory.getLogger(MerkleSetup.class);
    private static final Duration STARTUP_BUDGET = Duration.ofSeconds(10);

    /** What the engine keeps: queries (null when trees are off), scheduler (null without both L2 and L3). */
    public record Opened(MerkleQueries queries, SyncScheduler scheduler) {
    }

    private MerkleSetup() {
    }

    public static Opened open(SyncEngineConfig config, SqlTier l3, ItemTier l2, MemoryTier l1, WriteBehind writeBehind,
                              Coherence coherence, TimeSource time) {
        if (!config.merkleCalcEnabled() || (l3 == null && l2 == null)) {
            return new Opened(null, null);
        }
        L3MerkleView l3Trees = l3 == null ? null : l3.merkle();
        Reconciler.CacheTrees l2Trees = l2 == null ? null : () -> treesOf(l2);
        MerkleQueries queries = new MerkleQueries(l3Trees, l2Trees);
        if (l3Trees == null || l2Trees == null) {
            return new Opened(queries, null);
        }
        SyncScheduler scheduler = new SyncScheduler(
                new Reconciler(l3Trees, l3, l2, l2Trees, writeBehind, l1, coherence, time), config);
        writeBehind.onCacheTierRepaired(scheduler::requestSoon);
        if (l2 instanceof ReconnectingTier reconnecting && !reconnecting.isOpen()) {
            scheduler.requestSoon();
            return new Opened(queries, scheduler);
        }
        SyncReport report = scheduler.runNow(SyncOptions.builder().timeBudget(STARTUP_BUDGET).build());
        LOG.info("startup merkle comparison of L2 with L3: {}", report);
        if (!report.complete()) {
            scheduler.requestSoon();
        }
        return new Opened(queries, scheduler);
    }

    private static CacheTreeTier treesOf(ItemTier l2) throws TierAccessException {
        ItemTier tier = l2 instanceof ReconnectingTier reconnecting ? reconnecting.connected() : l2;
        if (tier instanceof RedisTier redis && redis.merkle() != null) {
            return redis.merkle();
        }
        throw new TierAccessException(Tier.L2, "L2 (" + l2.describe() + ") keeps no merkle trees", null);
    }
}
