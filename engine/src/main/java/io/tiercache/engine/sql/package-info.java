/**
 * L3, the SQL ground truth: one table {@code sync_items} on SQLite (the zero-configuration default, one file) or
 * MySQL/MariaDB. What differs between them lives in a {@link io.tiercache.engine.sql.SqlDialect}; everything else
 * (batching, version guard, LIKE escaping with {@code !}, hostile-row decoding) is shared in
 * {@link io.tiercache.engine.sql.SqlTier}. JSON payloads are stored as text, byte for byte, so their content hash
 * still matches and the database's JSON functions can query them.
 */
package io.tiercache.engine.sql;
