package io.tiercache.engine;

/**
 * When a write's future completes, and so what survives a crash.
 *
 * <ul>
 *   <li>{@link #MEMORY}: once the write is in L1 and queued for write-behind. A JVM crash loses the unflushed batch.</li>
 *   <li>{@link #LOCAL_WAL}: once the write is group-committed to the local write-ahead log (fsync). Survives kill -9.</li>
 *   <li>{@link #DURABLE}: once the L3 transaction commits, or the local WAL while L3 is unreachable.</li>
 * </ul>
 */
public enum Durability {
    MEMORY,
    LOCAL_WAL,
    DURABLE;

    /** Parses a configured name case-insensitively, naming the allowed values if it is none of them. */
    public static Durability parse(String value) {
        for (Durability durability : values()) {
            if (durability.name().equalsIgnoreCase(value == null ? "" : value.trim().replace('-', '_'))) {
                return durability;
            }
        }
        throw new IllegalArgumentException("unknown durability '" + value + "' (allowed: MEMORY, LOCAL_WAL, DURABLE)");
    }
}
