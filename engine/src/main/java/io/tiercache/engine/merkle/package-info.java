/**
 * Per-namespace merkle trees: how two tiers (L3 and L2, or two nodes) find out which items they disagree on at a
 * cost that grows with the disagreement, not with the data.
 *
 * <h2>Decisions written down here</h2>
 * <ul>
 *   <li><b>Shape.</b> 16-ary, depth 4: an item lives in the leaf named by the first four hex digits of SHA-256 of
 *       its UTF-8 id ({@link io.tiercache.engine.merkle.MerklePath}), 65,536 leaves in all.</li>
 *   <li><b>Leaves are sums</b> modulo 2<sup>256</sup> of item digests
 *       ({@link io.tiercache.engine.merkle.ItemDigest}: SHA-256 of {@code id ‖ 0x00 ‖ hash hex ‖ 0x00 ‖ version
 *       big-endian}), so a write moves one leaf by {@code new - old} without reading the bucket's items.</li>
 *   <li><b>Parents</b> are SHA-256 over their 16 children's digests in digit order, empty children as 32 zero bytes;
 *       a node with no non-empty child is empty. Empty is {@link io.tiercache.engine.merkle.Digest256#ZERO}, also the
 *       root of an empty tree.</li>
 *   <li><b>Only non-empty nodes are stored</b>; a mutation reports changed nodes with ZERO meaning "delete the row",
 *       so {@link io.tiercache.engine.merkle.MerkleStore}s stay as small as the namespace.</li>
 *   <li><b>Comparison</b> ({@link io.tiercache.engine.merkle.Divergence}) walks both trees top-down one level at a
 *       time, reading only the children of nodes that differ, one batched read per level and side.</li>
 *   <li><b>Namespaces</b> ({@link io.tiercache.engine.merkle.MerkleNamespaces}) are the Redis tier's: an id up to
 *       its first '/', the root namespace stored as {@code "~"}.</li>
 *   <li><b>L3</b>: a batch transaction notes the leaf buckets its rows fall in, as one {@code merkle_notes} row per
 *       namespace (a random stamp and the set of buckets, {@code BucketSetCodec}), and takes no lock for the trees;
 *       before anything of a namespace's tree is read, the union of its notes' buckets is recomputed from their rows
 *       (rows carry their leaf in an indexed {@code bucket} column, so a bucket's rows are one query), their
 *       ancestors from their children, and exactly the notes read removed ({@code sql.L3Merkle}); a note that does
 *       not decode has the whole tree rebuilt from the rows. Reading the items' states before and after each batch
 *       and recomputing parents in it cost ~21 reads per written row and a namespace lock that serialized writers; a
 *       note row per bucket (upserted, {@code merkle_dirty}) cost ~9,000 statements per batch of 10,000 ids, a
 *       sixth of its time on SQLite.</li>
 *   <li><b>L2</b> moves leaves in the item scripts, atomically with the item, from a per-id digest ledger; parents
 *       follow when the tree is next read (see {@code redis.RedisMerkleLua}). What bypasses the scripts (raw
 *       commands, Redis's own eviction) the stored tree cannot see: a deep sync compares L2's items instead.</li>
 *   <li><b>Routing.</b> L2's tree holds the items L2 shares with L3: items routed to L2 only stay out of it and
 *       are never removed by a sync; items routed to L3 only, or evicted from L2, are written back into L2 by a
 *       sync of their bucket (L2 ends holding what L3 holds).</li>
 * </ul>
 */
package io.tiercache.engine.merkle;
