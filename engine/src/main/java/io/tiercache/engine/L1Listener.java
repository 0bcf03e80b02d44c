package io.tiercache.engine;

/**
 * Told whenever what L1 holds for an id stops being what it was: a write or delete (this node's, or another node's
 * announced on the change stream), an eviction, an expiry, an invalidation, or all of L1 being dropped. A layer that
 * keeps something derived from L1's items (such as decoded values) drops it here, so it never outlives the L1 entry
 * it came from and never serves a value L1 no longer holds.
 *
 * <p>{@link #changed} runs on the thread that made the change, after the new state is visible to L1 reads (for an
 * eviction: while Caffeine removes the entry); it must be quick, must not block and must not call into the engine.
 * A change that L1 refuses (an older version) is not reported.
 *
 * <pre>{@code
 * engine.addL1Listener(new L1Listener() {
 *     public void changed(String id) { decoded.remove(id); }
 *     public void clearedAll() { decoded.clear(); }
 * });
 * }</pre>
 */
public interface L1Listener {
    /** L1's entry for {@code id} was replaced or removed. */
    void changed(String id);

    /** Every L1 entry was dropped at once. */
    void clearedAll();
}
