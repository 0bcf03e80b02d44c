package io.tiercache.hibernate.internal;

import java.time.Duration;

/**
 * What an atomic {@link EngineStorage#update} decided for one entry, plus the caller's result. A put that is
 * {@code seenEverywhere} returns only once no other node serves the entry's older state from its memory.
 */
record Change<R>(Kind kind, Object value, Duration ttl, R result, boolean seenEverywhere) {
    enum Kind { PUT, REMOVE, KEEP }

    static <R> Change<R> put(Object value, Duration ttl, R result) {
        return new Change<>(Kind.PUT, value, ttl, result, false);
    }

    /** A put every node must see before the caller goes on (a soft lock placed before the database changes). */
    static <R> Change<R> putSeenEverywhere(Object value, Duration ttl, R result) {
        return new Change<>(Kind.PUT, value, ttl, result, true);
    }

    static <R> Change<R> remove(R result) {
        return new Change<>(Kind.REMOVE, null, null, result, false);
    }

    static <R> Change<R> keep(R result) {
        return new Change<>(Kind.KEEP, null, null, result, false);
    }
}
