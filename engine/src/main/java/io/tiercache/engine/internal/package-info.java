/**
 * Engine machinery that is not API: the read path, the write-behind pipeline and its flusher and WAL-drain threads,
 * the queue-overlaid scans, cross-node coherence through the Redis change stream, the hybrid logical clock,
 * the circuit breaker, content hashing and JSON detection. Public only because the tier packages use it.
 */
package io.tiercache.engine.internal;
