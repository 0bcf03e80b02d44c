package io.tiercache.engine.sql;

import java.util.List;

/** What differs between SQL backends: DDL, the version-guarded upsert, and whether writes must be serialized. */
public interface SqlDialect {

    String name();

    /** Idempotent DDL creating the schema (run at every start). */
    List<String> schemaStatements();

    /**
     * Insert-or-update of one row, parameters in {@link SqlTier#COLUMNS} order, that leaves a row alone when it
     * already holds the same or a newer version.
     */
    String upsertStatement();

    /** Whether the backend takes one writer at a time (SQLite); then batches are written under one lock. */
    boolean singleWriter();
}
