package io.tiercache.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one reconciliation run did. Immutable.
 *
 * <pre>{@code
 * SyncReport report = engine.sync(SyncOptions.defaults());
 * if (report.skipped()) {
 *     log.warn("cache not verified: {}", report.errors());          // L3 down: retried with backoff
 * } else {
 *     log.info("{} buckets compared, {} items repaired in L2", report.bucketsCompared(),
 *             report.tier(Tier.L2).repaired());
 * }
 * }</pre>
 *
 * @param duration         wall time of the run
 * @param namespaces       namespaces whose roots were compared
 * @param nodesCompared    tree nodes compared (both sides count once per path)
 * @param bucketsCompared  leaf buckets found divergent and compared item by item
 * @param itemsChecked     distinct items compared in those buckets
 * @param itemsRead        items read from L2 and L3 to do so (what the cost of a run grows with)
 * @param tiers            per tier: L1 entries dropped, L2 items rewritten and removed, L3 tree nodes corrected
 * @param errors           what failed (a tier unavailable, a corrupt ground-truth row), one line each
 * @param complete         every branch of every namespace was compared (false: stopped at the time budget or by
 *                         a failure; the next run resumes after the last completed branch)
 * @param skipped          nothing was compared: L3 or L2 unavailable, or L3 still behind its WAL
 * @param resumed          the run continued an earlier incomplete one
 */
public record SyncReport(Duration duration, int namespaces, long nodesCompared, long bucketsCompared,
                         long itemsChecked, long itemsRead, Map<Tier, TierCounts> tiers, List<String> errors,
                         boolean complete, boolean skipped, boolean resumed) {

    public SyncReport {
        tiers = Map.copyOf(tiers);
        errors = List.copyOf(errors);
    }

    /** Repairs in one tier: items written again from L3, items removed (L1: entries dropped). */
    public record TierCounts(long repaired, long removed) {
        public static final TierCounts NONE = new TierCounts(0, 0);
    }

    /** The counts of {@code tier}, zero if the run did not touch it. */
    public TierCounts tier(Tier tier) {
        return tiers.getOrDefault(tier, TierCounts.NONE);
    }

    /** Whether the run found the tiers in agreement (or made them agree) and nothing failed. */
    public boolean clean() {
        return complete && !skipped && errors.isEmpty();
    }
}
