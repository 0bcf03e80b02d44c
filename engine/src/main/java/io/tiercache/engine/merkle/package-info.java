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
 * </ul>
 */
package io.tiercache.engine.merkle;
