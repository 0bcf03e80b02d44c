/**
 * Change data capture: with {@code enableCdcStream} and Redis configured, every change applied to the ground truth
 * (L3, or L2 when there is no L3) is appended to the Redis Stream {@code <redisPrefix>cdc}, trimmed to about
 * {@code cdcStreamMaxlen} entries. {@link io.tiercache.engine.cdc.CdcConsumer} reads it in consumer groups, at least
 * once; {@code SyncEngine.applyReplicated} applies an event at its source version, so a replica converges to the same
 * items and the same merkle root whatever the duplicates. A batch published while Redis is unreachable is counted,
 * not retried: consumers that must not miss one reconcile from the ground truth.
 */
package io.tiercache.engine.cdc;
