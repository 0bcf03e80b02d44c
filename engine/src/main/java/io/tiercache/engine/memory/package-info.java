/**
 * L1: items in process memory (Caffeine), bounded by bytes. Deletes leave versioned tombstones so that a read which
 * fetched an older copy from below cannot resurrect a deleted item; every write, fill and delete is one
 * version-guarded compute on the entry.
 */
package io.tiercache.engine.memory;
