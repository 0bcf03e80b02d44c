package io.tiercache.engine;

/**
 * The existence filter's counters (part of {@link EngineStats}).
 *
 * @param enabled          whether this engine may skip L3 on the filter's word at all (see
 *                         {@code io.tiercache.engine.internal.ExistenceFilter} for the rule)
 * @param trusted          whether reads skip L3 on a negative now (false while it is rebuilt)
 * @param skips            reads that missed L1 and L2 and did not ask L3 because the filter said "definitely missing"
 * @param load             share of the filter's slots in use
 * @param rebuilds         rebuilds from L3 completed
 * @param snapshotsWritten snapshots written to the local WAL database
 * @param restored         whether the filter in use came from a snapshot (trusted at start without a rebuild)
 */
public record FilterStats(boolean enabled, boolean trusted, long skips, double load, long rebuilds,
                          long snapshotsWritten, boolean restored) {

    /** An engine without L3 has nothing to filter. */
    public static final FilterStats NONE = new FilterStats(false, false, 0, 0.0, 0, 0, false);
}
