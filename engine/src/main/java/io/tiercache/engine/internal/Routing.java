package io.tiercache.engine.internal;

import io.tiercache.engine.Tier;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The shared tiers a write is routed to, as one immutable set per combination: the write path keeps the set it is
 * given instead of copying it per write, and two routings compare by identity first.
 *
 * <pre>{@code
 * Set<Tier> routing = Routing.of(EnumSet.of(Tier.L3));
 * assert routing == Routing.of(Set.of(Tier.L3));
 * }</pre>
 */
public final class Routing {
    private static final Tier[] TIERS = Tier.values();
    @SuppressWarnings("unchecked")
    private static final Set<Tier>[] SETS = new Set[1 << TIERS.length];

    static {
        for (int bits = 0; bits < SETS.length; bits++) {
            EnumSet<Tier> set = EnumSet.noneOf(Tier.class);
            for (Tier tier : TIERS) {
                if ((bits & (1 << tier.ordinal())) != 0) {
                    set.add(tier);
                }
            }
            SETS[bits] = Collections.unmodifiableSet(set);
        }
    }

    private Routing() {
    }

    /** The shared immutable set holding exactly {@code tiers}. */
    public static Set<Tier> of(Set<Tier> tiers) {
        int bits = 0;
        for (Tier tier : TIERS) {
            if (tiers.contains(tier)) {
                bits |= 1 << tier.ordinal();
            }
        }
        return SETS[bits];
    }
}
