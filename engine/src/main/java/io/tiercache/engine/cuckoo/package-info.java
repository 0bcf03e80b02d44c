/**
 * The cuckoo filter that lets a read skip L3 for ids L3 does not hold
 * ({@link io.tiercache.engine.cuckoo.CuckooFilter}), and its snapshot format.
 *
 * <h2>Decisions written down here</h2>
 * <ul>
 *   <li><b>Our own implementation</b> (no well-kept Java cuckoo filter exists): Fan et al.'s design with buckets of
 *       4, partial-key cuckoo hashing, 4..16-bit fingerprints and a bounded eviction walk.</li>
 *   <li><b>Never a false negative</b> for an id the caller added and did not remove: a refused insert undoes its
 *       evictions, and the filter then answers "might contain" for everything until it is rebuilt larger.</li>
 *   <li><b>Multiset semantics</b>: each add is one copy; an id leaves after as many removes.</li>
 *   <li><b>One StampedLock</b>: exclusive writers, optimistic lock-free readers.</li>
 *   <li><b>Snapshots</b> carry a versioned header, the id hash seed, the L3 merkle root they reflect and a CRC32C;
 *       anything truncated, corrupt or foreign is refused with a
 *       {@link io.tiercache.engine.cuckoo.CorruptSnapshotException}. A snapshot is trusted at startup only if L3's
 *       merkle root still equals the recorded one.</li>
 * </ul>
 */
package io.tiercache.engine.cuckoo;
