package io.tiercache.engine;

/** Where an item stands: stored in some tiers, waiting in the write-behind queue, or nowhere. */
public sealed interface ItemStatus {

    /** Flushed; the flags say which tiers hold a copy right now. */
    record Synced(boolean inL1, boolean inL2, boolean inL3) implements ItemStatus {
    }

    /** Accepted and in L1, not yet flushed to the shared tiers. */
    record Pending(long version) implements ItemStatus {
    }

    /** No tier holds the item. */
    record Missing() implements ItemStatus {
    }
}
