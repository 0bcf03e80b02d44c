package io.tiercache.engine.sql;

import java.util.List;

/** What differs between SQL backends: DDL, the version-guarded upsert, and whether writes must be serialized. */
public interface SqlDialect {

    String name();

    /** Idempotent DDL creating the schema (run at every start). */
    List<String> schemaStatements();

    /**
     * Statements adding the {@code bucket} column (an item's merkle leaf, 0..65535) and its index to a
     * {@code sync_items} table created before the column existed; run once, when the column is missing.
     */
    List<String> bucketColumnMigration();

    /**
     * Insert-or-update of one row, parameters in {@link SqlTier#WRITE_COLUMNS} order, that leaves a row alone when it
     * already holds the same or a newer version.
     */
    String upsertStatement();

    /**
     * An UPDATE that rewrites a row in place, parameters version, content_hash, content_type, payload_json,
     * payload_blob, updated_at, then id, the new version again, state, expires_at and bucket: it matches only a row
     * holding an older version with the same state, expiry and bucket, so it sets no indexed column. Null where the
     * upsert already leaves index entries whose values do not change alone (InnoDB); SQLite rewrites the entries of
     * every indexed column an UPDATE sets, changed or not, which makes an overwrite cost twice as much.
     */
    default String inPlaceUpdateStatement() {
        return null;
    }

    /** Whether the backend takes one writer at a time (SQLite); then batches are written under one lock. */
    boolean singleWriter();

    /** What a SELECT of one row appends to lock that row until the transaction ends ("" where writes serialize). */
    String rowLockSuffix();
}
