/**
 * The local write-ahead log: an SQLite file with synchronous=FULL and group commit. It holds writes acknowledged at
 * LOCAL_WAL until L3 has them, and every batch L3 could not take. Once any batch is journaled, later batches are
 * journaled too until a drain has replayed the log in order: L3 then only ever moves forward, and reads may trust a
 * WAL entry over L3 while the backlog exists.
 */
package io.tiercache.engine.wal;
