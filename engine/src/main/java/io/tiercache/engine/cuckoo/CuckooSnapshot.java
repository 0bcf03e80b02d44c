package io.tiercache.engine.cuckoo;

/**
 * A filter read back from a snapshot, with the L3 merkle root it was written at. At startup the engine keeps the
 * filter only if L3's root is still the same (nothing was written since, by this node or another); otherwise it
 * rebuilds from L3.
 *
 * <pre>{@code
 * CuckooSnapshot snap = CuckooFilter.readFrom(in);
 * CuckooFilter filter = snap.trustedAt(l3Root.toHex()) ? snap.filter() : rebuild();
 * }</pre>
 *
 * @param filter     the restored filter
 * @param merkleRoot the merkle root recorded with it, 64 lower-case hex digits
 */
public record CuckooSnapshot(CuckooFilter filter, String merkleRoot) {

    public CuckooSnapshot {
        if (filter == null) {
            throw new IllegalArgumentException("filter must not be null");
        }
        if (merkleRoot == null || !merkleRoot.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("merkle root must be 64 lower-case hex digits");
        }
    }

    /** Whether the snapshot reflects the data whose merkle root is {@code currentRoot} (hex, either case). */
    public boolean trustedAt(String currentRoot) {
        return currentRoot != null && merkleRoot.equalsIgnoreCase(currentRoot);
    }
}
