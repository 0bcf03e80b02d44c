package io.tiercache.engine.merkle;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.internal.ContentHash;

/**
 * What the merkle tree knows of one stored copy of an item: its content hash and version. Two tiers agree on an
 * item exactly when they hold the same state for its id.
 *
 * <pre>{@code
 * ItemState state = ItemState.of(item);                 // from a SyncItem
 * ItemState same = new ItemState(item.contentHash(), item.version());
 * }</pre>
 *
 * @param contentHash SHA-256 of the payload, 64 lower-case hex digits (as {@link SyncItem#contentHash()})
 * @param version     the item's version
 */
public record ItemState(String contentHash, long version) {

    public ItemState {
        if (!ContentHash.isWellFormed(contentHash)) {
            throw new IllegalArgumentException("content hash must be 64 lower-case hex digits, got "
                    + (contentHash == null ? "null" : "'" + abbreviate(contentHash) + "'"));
        }
    }

    public static ItemState of(SyncItem item) {
        if (item == null) {
            throw new IllegalArgumentException("item must not be null");
        }
        return new ItemState(item.contentHash(), item.version());
    }

    private static String abbreviate(String s) {
        return s.length() <= 70 ? s : s.substring(0, 70) + "…";
    }
}
