package io.tiercache.engine;

/** How a payload is stored: JSON objects and arrays stay queryable text, everything else is kept as opaque bytes. */
public enum ContentType {
    JSON,
    BINARY;

    /** Parses a stored tag, naming the bad value if it is not one of ours (data read back from a store is hostile). */
    public static ContentType fromTag(String tag) {
        for (ContentType type : values()) {
            if (type.name().equals(tag)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown content type '" + tag + "' (allowed: JSON, BINARY)");
    }
}
