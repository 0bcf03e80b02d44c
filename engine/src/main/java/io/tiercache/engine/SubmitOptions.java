package io.tiercache.engine;

import io.tiercache.engine.internal.Routing;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How one write is stored: which shared tiers receive it, for how long it lives, how durable its acknowledgement is,
 * and its state tag. L1 always holds the newest local write; routing chooses among L2 and L3.
 *
 * <pre>{@code
 * engine.submitWith("session/7", bytes, SubmitOptions.cache(Duration.ofMinutes(30)));      // L2 only, with TTL
 * engine.submitWith("order/9", json, SubmitOptions.durable().withState("paid"));           // L3 only
 * engine.submitWith("event/1", json, SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL));
 * }</pre>
 */
public final class SubmitOptions {
    private static final SubmitOptions DEFAULTS =
            new SubmitOptions(EnumSet.of(Tier.L2, Tier.L3), null, null, SyncItem.DEFAULT_STATE);

    private final Set<Tier> sharedTiers;
    private final Set<Tier> routing;
    private final Duration ttl;
    private final Durability durability;
    private final String state;
    private final boolean awaitsInvalidation;

    private SubmitOptions(Set<Tier> sharedTiers, Duration ttl, Durability durability, String state) {
        this(sharedTiers, ttl, durability, state, false);
    }

    private SubmitOptions(Set<Tier> sharedTiers, Duration ttl, Durability durability, String state,
                          boolean awaitsInvalidation) {
        this.sharedTiers = sharedTiers;
        this.routing = Routing.of(sharedTiers);
        this.ttl = ttl;
        this.durability = durability;
        this.state = state;
        this.awaitsInvalidation = awaitsInvalidation;
    }

    /** Every configured tier, no TTL, the engine's default durability, state {@code "default"}. */
    public static SubmitOptions defaults() {
        return DEFAULTS;
    }

    /** A cache entry: L2 only (plus L1), expiring after {@code ttl}. */
    public static SubmitOptions cache(Duration ttl) {
        return new SubmitOptions(EnumSet.of(Tier.L2), requirePositive(ttl), null, SyncItem.DEFAULT_STATE);
    }

    /** Ground truth only: L3 (plus L1), no Redis copy. */
    public static SubmitOptions durable() {
        return new SubmitOptions(EnumSet.of(Tier.L3), null, null, SyncItem.DEFAULT_STATE);
    }

    /** Custom routing among the shared tiers; {@link Tier#L1} is always written and may be omitted. */
    public SubmitOptions routedTo(Tier... tiers) {
        EnumSet<Tier> shared = EnumSet.noneOf(Tier.class);
        for (Tier tier : tiers) {
            if (tier != Tier.L1) {
                shared.add(Objects.requireNonNull(tier, "tier must not be null"));
            }
        }
        return new SubmitOptions(shared, ttl, durability, state, awaitsInvalidation);
    }

    public SubmitOptions withTtl(Duration newTtl) {
        return new SubmitOptions(sharedTiers, requirePositive(newTtl), durability, state, awaitsInvalidation);
    }

    public SubmitOptions withDurability(Durability newDurability) {
        return new SubmitOptions(sharedTiers, ttl, Objects.requireNonNull(newDurability, "durability"), state,
                awaitsInvalidation);
    }

    public SubmitOptions withState(String newState) {
        return new SubmitOptions(sharedTiers, ttl, durability, SyncItem.requireValidState(newState),
                awaitsInvalidation);
    }

    /**
     * For a write made by {@link SyncEngine#compute} on an engine with Redis: it is acknowledged only once every other
     * live node has dropped its older L1 copy (or its L1 lease ran out, after which it does not serve from L1 until
     * it follows the change stream again). What a transaction protocol needs before it changes the data behind the
     * cache, e.g. placing a soft lock. {@code submit} refuses it: a submitted write is announced when it is flushed.
     *
     * <pre>{@code
     * engine.compute("orders/7", current -> Mutation.put(lockBytes, SubmitOptions.defaults().awaitingInvalidation(),
     *         true));
     * }</pre>
     */
    public SubmitOptions awaitingInvalidation() {
        return new SubmitOptions(sharedTiers, ttl, durability, state, true);
    }

    public boolean awaitsInvalidation() {
        return awaitsInvalidation;
    }

    public boolean writesTo(Tier tier) {
        return tier == Tier.L1 || sharedTiers.contains(tier);
    }

    /** The shared tiers (L2, L3) this write goes to. */
    public Set<Tier> sharedTiers() {
        return EnumSet.copyOf(sharedTiers.isEmpty() ? EnumSet.noneOf(Tier.class) : sharedTiers);
    }

    /** {@link #sharedTiers()} as the engine keeps it: immutable, one instance per combination, no copy per call. */
    Set<Tier> routing() {
        return routing;
    }

    /** Time to live, or null for none. */
    public Duration ttl() {
        return ttl;
    }

    /** The durability asked for, or null for the engine default. */
    public Durability durability() {
        return durability;
    }

    public String state() {
        return state;
    }

    private static Duration requirePositive(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl must not be null");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        return ttl;
    }

    @Override
    public String toString() {
        return "SubmitOptions{tiers=" + sharedTiers + ", ttl=" + ttl + ", durability=" + durability + ", state='"
                + state + "'" + (awaitsInvalidation ? ", awaitingInvalidation" : "") + "}";
    }
}
