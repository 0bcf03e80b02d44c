package io.tiercache.hibernate;

/**
 * The numbered ids of everything the Hibernate integration warns about or refuses, so logs can be searched and
 * alerts keyed on them. {@code H0xx} are configuration warnings found at startup, {@code H1xx} runtime warnings,
 * {@code E0xx} startup errors.
 *
 * <pre>{@code
 * boolean misspelled = factory.configurationWarnings().stream()
 *         .anyMatch(w -> w.id().equals(Warnings.UNKNOWN_TIERCACHE_KEY));
 * }</pre>
 */
public final class Warnings {
    /** An unknown {@code hibernate.cache.tiercache.*} key (usually a misspelling; the message suggests the closest). */
    public static final String UNKNOWN_TIERCACHE_KEY = "TIERCACHE-H001";
    /** A setting of another cache provider (JCache, Ehcache, Infinispan), ignored while tiercache is the factory. */
    public static final String OTHER_PROVIDER_KEY = "TIERCACHE-H002";
    /** A {@code hibernate.cache.*} key Hibernate itself does not define. */
    public static final String UNKNOWN_CACHE_KEY = "TIERCACHE-H003";
    // TIERCACHE-H004 is retired: it said redis.url had no effect before L2 was wired into the engine. Ids are never
    // reused, so alerts keyed on an old id cannot start firing for something else.
    /** A region asks for L3 routing but the engine runs without L3. */
    public static final String L3_WITHOUT_SQL = "TIERCACHE-H005";
    /** {@code hibernate.cache.use_reference_entries} is on: those entries hold live objects and are not cached. */
    public static final String REFERENCE_ENTRIES = "TIERCACHE-H006";
    /** This Hibernate's query cache item cannot be opened; the query results region stores nothing. */
    public static final String QUERY_ITEMS_UNAVAILABLE = "TIERCACHE-H007";
    /** {@code redis.prefix} is set without {@code redis.url}: there is no L2 for it to apply to. */
    public static final String REDIS_PREFIX_WITHOUT_URL = "TIERCACHE-H008";

    /** A stored entry did not decode (corrupt, foreign or another schema): treated as a miss and evicted. */
    public static final String DECODE_FAILED = "TIERCACHE-H101";
    /** A value has no built-in codec and is not on the serialization allowlist: not cached. */
    public static final String NOT_ENCODABLE = "TIERCACHE-H102";
    /** The engine refused or failed a cache write: the entry is not cached (or only locally). */
    public static final String WRITE_FAILED = "TIERCACHE-H103";
    /** A soft lock had expired or been replaced when its transaction completed. */
    public static final String SOFT_LOCK_EXPIRED = "TIERCACHE-H104";
    /** The engine could not be read (a tier is down): served as a miss, so the application uses its database. */
    public static final String READ_FAILED = "TIERCACHE-H105";

    /** Strict mode found configuration problems and refused to start. */
    public static final String STRICT_FAILURE = "TIERCACHE-E001";
    /** TRANSACTIONAL access was mapped without a JTA platform. */
    public static final String TRANSACTIONAL_WITHOUT_JTA = "TIERCACHE-E002";
    /** A setting has a value that cannot be used. */
    public static final String BAD_VALUE = "TIERCACHE-E003";

    private Warnings() {
    }
}
