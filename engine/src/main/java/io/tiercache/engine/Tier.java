package io.tiercache.engine;

/** The three storage tiers, fastest first. */
public enum Tier {
    /** In-process memory (Caffeine), bounded by bytes. */
    L1,
    /** Shared cache (Redis). */
    L2,
    /** SQL ground truth (MySQL/MariaDB, or an embedded SQLite file). */
    L3
}
