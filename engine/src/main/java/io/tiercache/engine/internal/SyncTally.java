package io.tiercache.engine.internal;

import io.tiercache.engine.SyncReport;
import io.tiercache.engine.Tier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The counters of one reconciliation run, turned into its {@link SyncReport} at the end. Single-threaded. */
final class SyncTally {
    private final long startNanos = System.nanoTime();
    private final Map<Tier, long[]> tiers = new EnumMap<>(Tier.class);
    private final List<String> errors = new ArrayList<>();
    int namespaces;
    long nodesCompared;
    long bucketsCompared;
    long itemsChecked;
    long itemsRead;

    void repaired(Tier tier, long count) {
        tiers.computeIfAbsent(tier, t -> new long[2])[0] += count;
    }

    void removed(Tier tier, long count) {
        tiers.computeIfAbsent(tier, t -> new long[2])[1] += count;
    }

    void error(String line) {
        errors.add(line);
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    SyncReport report(boolean complete, boolean skipped, boolean resumed) {
        Map<Tier, SyncReport.TierCounts> counts = new EnumMap<>(Tier.class);
        tiers.forEach((tier, c) -> counts.put(tier, new SyncReport.TierCounts(c[0], c[1])));
        return new SyncReport(Duration.ofNanos(System.nanoTime() - startNanos), namespaces, nodesCompared,
                bucketsCompared, itemsChecked, itemsRead, counts, errors, complete, skipped, resumed);
    }
}
