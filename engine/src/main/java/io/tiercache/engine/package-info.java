/**
 * The tiered sync engine: {@link io.tiercache.engine.SyncEngine} and the types of its API.
 *
 * <h2>Decisions written down here</h2>
 * <ul>
 *   <li><b>Reads</b> go L1 → write-behind queue → (local WAL while it holds writes L3 lacks) → L3, and an L3 hit is
 *       promoted into L1 with a version-guarded fill, so a fill that raced a newer write or delete loses.</li>
 *   <li><b>Misses skip L3</b> when the existence filter (a cuckoo filter over every id L3 may hold) is trusted and
 *       says "definitely missing". Ids enter it before L3 can hold them and leave it only by a rebuild from L3; it is
 *       trusted only while complete: rebuilt or restored from a snapshot whose L3 marker still matches, and with
 *       other nodes only within one unbroken following of the change stream. Without Redis only an SQLite L3 in the
 *       engine's own data directory gets one (any other L3 may be written by engines it never hears of). The rules:
 *       {@code internal.ExistenceFilter}.</li>
 *   <li><b>Writes</b> take a per-id lock stripe only long enough to give the write its version (a hybrid logical
 *       clock) and place it in L1 and the queue; the same stripes make {@link io.tiercache.engine.SyncEngine#compute}
 *       atomic against every other write to that id through this engine, and shutdown, which sets a flag and then
 *       takes every stripe once, waits out exactly the writes already past the flag.</li>
 *   <li><b>Write-behind coalescing</b>: a MEMORY write of an id whose previous MEMORY write is still queued (not yet
 *       taken by the flusher) replaces it in its queue entry, so a hot id costs one queue entry and one L3 row per
 *       batch. LOCAL_WAL and DURABLE writes keep entries of their own: each acknowledgement waits for its own write.</li>
 *   <li><b>Layers above L1</b> (the JCache near cache) hold L1 entries themselves ({@link io.tiercache.engine.L1Ref}):
 *       an entry is one object from an id's first write until it leaves L1, a derived copy attached to it is served
 *       only while the entry still holds the item it came from, and
 *       {@link io.tiercache.engine.SyncEngine#submitOwned} writes through it without a lookup. While the entry
 *       carries the id's queued MEMORY write (engines without Redis), such a write is made wholly inside the entry's
 *       lock, without the id's stripe: it is made only while nobody holds the stripe, and a stripe holder first waits
 *       for the entry's lock, so computes stay atomic. A value given with a
 *       {@link io.tiercache.engine.PayloadEncoder} is encoded only when a tier or a reader needs its bytes (overwrites
 *       between two flushes encode nothing) and is served as it is to the encoder's owner meanwhile. An
 *       {@link io.tiercache.engine.L1Listener} hears every entry that leaves (eviction, expiry, invalidation).</li>
 *   <li><b>Scans and counts</b> ask the ground truth (L3, or L1 when there is no L3) and lay the write-behind queue over
 *       the answer, so they see every accepted write before it is flushed. While L3 is catching up from the WAL they
 *       refuse with {@link io.tiercache.engine.TierUnavailableException} rather than answer from a partial view.</li>
 *   <li><b>Memory pressure</b> is the share of {@code l1MaxBytes} held by writes not yet stored below (they cannot be
 *       evicted). Clean cached items never count: L1's own bound is lowered by the pinned bytes so cached items make
 *       room. WARN is reported by health; CRITICAL refuses writes with
 *       {@link io.tiercache.engine.BackpressureException} until the queue drains.</li>
 *   <li><b>Failures</b> of a tier are typed ({@link io.tiercache.engine.tier.TierAccessException}, checked) and
 *       decided on by the engine: a failed L3 batch goes to the local WAL (never lost, acknowledged there for
 *       DURABLE), a read that only L3 could answer throws {@link io.tiercache.engine.TierUnavailableException}
 *       naming the tier, a copy whose hash does not match throws {@link io.tiercache.engine.CorruptionException}
 *       naming the id; nothing corrupt is served.</li>
 *   <li><b>Lifecycle</b> moves forward only; an engine starts once. Operations outside READY throw
 *       {@link java.lang.IllegalStateException} immediately.</li>
 * </ul>
 */
package io.tiercache.engine;
