package io.tiercache.engine.tier;

import io.tiercache.engine.Tier;

/**
 * A tier could not do what was asked (connection lost, timeout, server error). Checked on purpose: every caller must
 * route it to a policy (fall through, journal to the WAL, refuse) instead of letting it reach users.
 */
public class TierAccessException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Tier tier;

    public TierAccessException(Tier tier, String message, Throwable cause) {
        super(tier + ": " + message, cause);
        this.tier = tier;
    }

    public Tier tier() {
        return tier;
    }
}
