package io.tiercache.engine;

/** A stored copy whose bytes no longer match its content hash. */
public class CorruptionException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String itemId;

    public CorruptionException(String itemId, String detail) {
        super("item '" + ItemIds.abbreviate(itemId) + "' is corrupt: " + detail);
        this.itemId = itemId;
    }

    public String itemId() {
        return itemId;
    }
}
