package io.tiercache.engine.sql;

import java.util.List;

/** The embedded default: one SQLite file, WAL journal, one writer at a time. */
public final class SqliteDialect implements SqlDialect {

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public List<String> schemaStatements() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS sync_items ("
                        + "id TEXT NOT NULL PRIMARY KEY, "
                        + "version INTEGER NOT NULL, "
                        + "content_hash TEXT NOT NULL, "
                        + "content_type TEXT NOT NULL, "
                        + "state TEXT NOT NULL, "
                        + "payload_json TEXT NULL, "
                        + "payload_blob BLOB NULL, "
                        + "expires_at INTEGER NULL, "
                        + "updated_at INTEGER NOT NULL)",
                "CREATE INDEX IF NOT EXISTS idx_sync_items_state ON sync_items(state)",
                "CREATE INDEX IF NOT EXISTS idx_sync_items_expires ON sync_items(expires_at)",
                "CREATE TABLE IF NOT EXISTS tiercache_schema (version INTEGER NOT NULL)");
    }

    /**
     * A new table gets the column this way too (SQLite cannot add a column "if not exists", so the table is created
     * in its first shape and always migrated the same way).
     */
    @Override
    public List<String> bucketColumnMigration() {
        return List.of("ALTER TABLE sync_items ADD COLUMN bucket INTEGER NULL",
                "CREATE INDEX IF NOT EXISTS idx_sync_items_bucket ON sync_items(bucket, id)");
    }

    @Override
    public String upsertStatement() {
        return "INSERT INTO sync_items (" + String.join(", ", SqlTier.WRITE_COLUMNS)
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT(id) DO UPDATE SET version = excluded.version, content_hash = excluded.content_hash, "
                + "content_type = excluded.content_type, state = excluded.state, "
                + "payload_json = excluded.payload_json, payload_blob = excluded.payload_blob, "
                + "expires_at = excluded.expires_at, updated_at = excluded.updated_at, bucket = excluded.bucket "
                + "WHERE excluded.version > sync_items.version";
    }

    @Override
    public String inPlaceUpdateStatement() {
        return "UPDATE sync_items SET version = ?, content_hash = ?, content_type = ?, payload_json = ?, "
                + "payload_blob = ?, updated_at = ? "
                + "WHERE id = ? AND version < ? AND state = ? AND expires_at IS ? AND bucket IS ?";
    }

    @Override
    public boolean singleWriter() {
        return true;
    }

    @Override
    public String rowLockSuffix() {
        return "";
    }
}
