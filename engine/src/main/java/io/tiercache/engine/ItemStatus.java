package io.tiercache.engine;

/** Where an item stands: stored in some tiers, waiting in the write-behind queue, or nowhere. */
public sealed interface ItemStatus {

    /** Flushed; the flags say which tiers hold a copy right now. */
    record Synced(boolean inL1, boolean inL2, boolean inL3) implements ItemStatus {
    }

    /**
     * Accepted, not yet in the shared tiers: queued for write-behind, or held by the local WAL while L3 is down. A
     * delete is pending too until it reaches them; {@code version} is the newest pending write's.
     */
    record Pending(long version) implements ItemStatus {
    }

    /** No tier holds the item. */
    record Missing() implements ItemStatus {
    }
}
