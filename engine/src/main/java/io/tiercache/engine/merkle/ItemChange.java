package io.tiercache.engine.merkle;

import io.tiercache.engine.ItemIds;

/**
 * One item's move from one state to another, as a tier applied it: {@code before} is what the tier held (null: the
 * id was absent), {@code after} what it holds now (null: deleted).
 *
 * <pre>{@code
 * ItemChange insert = new ItemChange("users/42", null, new ItemState(hash, 1L));
 * ItemChange delete = new ItemChange("users/42", new ItemState(hash, 1L), null);
 * }</pre>
 */
public record ItemChange(String id, ItemState before, ItemState after) {

    public ItemChange {
        ItemIds.requireValid(id);
    }

    /** The leaf's digest moves by this much: {@code digest(after) - digest(before)}. */
    Digest256 delta() {
        Digest256 delta = Digest256.ZERO;
        if (after != null) {
            delta = delta.plus(ItemDigest.of(id, after));
        }
        if (before != null) {
            delta = delta.minus(ItemDigest.of(id, before));
        }
        return delta;
    }
}
