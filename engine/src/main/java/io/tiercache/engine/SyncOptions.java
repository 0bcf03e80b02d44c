package io.tiercache.engine;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one {@link SyncEngine#sync(SyncOptions)} run reconciles L2 (and L1) with L3. Immutable; made by a builder that
 * checks its values.
 *
 * <pre>{@code
 * SyncReport everything = engine.sync(SyncOptions.defaults());
 * SyncReport users = engine.sync(SyncOptions.builder().namespaces("users").timeBudget(Duration.ofSeconds(5)).build());
 * SyncReport audit = engine.sync(SyncOptions.builder().dryRun(true).build());   // compare, repair nothing
 * }</pre>
 */
public final class SyncOptions {
    private static final SyncOptions DEFAULTS = builder().build();

    private final Set<String> namespaces;
    private final boolean deep;
    private final boolean dryRun;
    private final Duration timeBudget;

    private SyncOptions(Builder b) {
        this.namespaces = Set.copyOf(b.namespaces);
        this.deep = b.deep;
        this.dryRun = b.dryRun;
        this.timeBudget = b.timeBudget;
    }

    /** Every namespace, trees as stored, repairs on, no time budget. */
    public static SyncOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Namespaces to reconcile as {@link SyncEngine#getMerkleRoot} names them; empty means all. */
    public Set<String> namespaces() {
        return namespaces;
    }

    /**
     * Whether L2's side is computed from its items (a scan of every item key of the namespace) instead of read from
     * its stored tree. L2's tree records what went through the engine's scripts; a change that bypassed them (a raw
     * {@code DEL} or {@code HSET}, Redis evicting under its own maxmemory policy) only a deep run sees. Costs a full
     * scan of L2; also removes items written to L2 only.
     */
    public boolean deep() {
        return deep;
    }

    /** Whether to compare and report only, repairing nothing. */
    public boolean dryRun() {
        return dryRun;
    }

    /**
     * How long the run may take; a run that reaches it stops after the branch it is on, reports itself incomplete,
     * and the next run resumes after the last completed branch. Null: no limit.
     */
    public Duration timeBudget() {
        return timeBudget;
    }

    @Override
    public String toString() {
        return "SyncOptions{namespaces=" + (namespaces.isEmpty() ? "all" : new TreeSet<>(namespaces)) + ", deep=" + deep
                + ", dryRun=" + dryRun + ", timeBudget=" + timeBudget + "}";
    }

    public static final class Builder {
        private Set<String> namespaces = Set.of();
        private boolean deep;
        private boolean dryRun;
        private Duration timeBudget;

        private Builder() {
        }

        public Builder namespaces(String... names) {
            return namespaces(Set.of(names));
        }

        public Builder namespaces(Set<String> names) {
            if (names == null) {
                throw new IllegalArgumentException("namespaces must not be null (empty means all)");
            }
            this.namespaces = Set.copyOf(names);
            return this;
        }

        public Builder deep(boolean deep) {
            this.deep = deep;
            return this;
        }

        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        public Builder timeBudget(Duration budget) {
            if (budget != null && (budget.isNegative() || budget.isZero())) {
                throw new IllegalArgumentException("timeBudget must be positive, got " + budget);
            }
            this.timeBudget = budget;
            return this;
        }

        public SyncOptions build() {
            return new SyncOptions(this);
        }
    }
}
