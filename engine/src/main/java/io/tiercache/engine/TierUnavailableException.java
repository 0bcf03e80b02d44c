package io.tiercache.engine;

/** A read that only an unreachable tier could answer: the engine will not guess, it says which tier failed. */
public class TierUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Tier tier;

    public TierUnavailableException(Tier tier, String message, Throwable cause) {
        super(message, cause);
        this.tier = tier;
    }

    public Tier tier() {
        return tier;
    }
}
