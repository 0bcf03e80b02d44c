package io.tiercache.engine;

/**
 * Told whenever an entry leaves L1: evicted, expired, invalidated (because L1 could no longer be trusted for it),
 * or all of L1 dropped at once. A layer that keeps {@link L1Ref}s (a near cache keyed by its own keys) drops them
 * here, so it never holds more entries than L1 does. Changes of what an entry holds (writes, deletes, other nodes'
 * changes) are not told: an entry's {@link L1Ref#attached attached value} already ends with them.
 *
 * <p>{@link #left} runs on the thread that removed the entry, after the entry stopped being {@link L1Ref#live live}
 * (for an eviction: while Caffeine removes it); it must be quick, must not block and must not call into the engine.
 *
 * <pre>{@code
 * engine.addL1Listener(new L1Listener() {
 *     public void left(String id) { refs.remove(keyOf(id)); }
 *     public void clearedAll() { refs.clear(); }
 * });
 * }</pre>
 */
public interface L1Listener {
    /** L1's entry for {@code id} left L1. */
    void left(String id);

    /** Every L1 entry was dropped at once. */
    void clearedAll();
}
