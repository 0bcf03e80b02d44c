/**
 * Engine machinery that is not API: the write-behind pipeline and its flusher thread, the hybrid logical clock,
 * the circuit breaker, content hashing and JSON detection. Public only because the tier packages use it.
 */
package io.tiercache.engine.internal;
