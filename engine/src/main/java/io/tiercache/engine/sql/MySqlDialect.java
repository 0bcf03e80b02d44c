package io.tiercache.engine.sql;

import java.util.List;

/**
 * MySQL 8 and MariaDB 10.11 through mysql-connector-j.
 *
 * <p>Ids are {@code VARBINARY(1024)}: a 1024-byte UTF-8 id fits InnoDB's key limit, comparisons are byte-wise
 * (case-sensitive, code point order, like SQLite's BINARY collation) and {@code LIKE} matches bytes. JSON payloads go
 * to a {@code LONGTEXT} column, not the {@code JSON} type, because MySQL normalizes JSON documents and the stored bytes
 * must hash to the content hash; {@code JSON_EXTRACT} works on text all the same.
 */
public final class MySqlDialect implements SqlDialect {
    private static final String GUARD = "VALUES(version) > version";

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    public List<String> schemaStatements() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS sync_items ("
                        + "id VARBINARY(1024) NOT NULL PRIMARY KEY, "
                        + "version BIGINT NOT NULL, "
                        + "content_hash VARCHAR(64) NOT NULL, "
                        + "content_type VARCHAR(16) NOT NULL, "
                        + "state VARCHAR(128) NOT NULL, "
                        + "payload_json LONGTEXT NULL, "
                        + "payload_blob LONGBLOB NULL, "
                        + "expires_at BIGINT NULL, "
                        + "updated_at BIGINT NOT NULL, "
                        + "bucket INT NULL, "
                        + "KEY idx_sync_items_state (state), "
                        + "KEY idx_sync_items_bucket (bucket), "
                        + "KEY idx_sync_items_expires (expires_at)"
                        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
                "CREATE TABLE IF NOT EXISTS tiercache_schema (version INT NOT NULL) ENGINE=InnoDB");
    }

    @Override
    public List<String> bucketColumnMigration() {
        return List.of("ALTER TABLE sync_items ADD COLUMN bucket INT NULL, ADD KEY idx_sync_items_bucket (bucket)");
    }

    /** Every column is guarded by the version test, and {@code version} is assigned last (MySQL assigns in order). */
    @Override
    public String upsertStatement() {
        StringBuilder sql = new StringBuilder("INSERT INTO sync_items (")
                .append(String.join(", ", SqlTier.WRITE_COLUMNS))
                .append(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE ");
        for (String column : SqlTier.WRITE_COLUMNS) {
            if (!column.equals("id") && !column.equals("version")) {
                sql.append(column).append(" = IF(").append(GUARD).append(", VALUES(").append(column).append("), ")
                        .append(column).append("), ");
            }
        }
        return sql.append("version = IF(").append(GUARD).append(", VALUES(version), version)").toString();
    }

    @Override
    public boolean singleWriter() {
        return false;
    }

    @Override
    public String rowLockSuffix() {
        return " FOR UPDATE";
    }
}
