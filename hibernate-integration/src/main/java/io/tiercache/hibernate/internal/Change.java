package io.tiercache.hibernate.internal;

import java.time.Duration;

/** What an atomic {@link EngineStorage#update} decided for one entry, plus the caller's result. */
record Change<R>(Kind kind, Object value, Duration ttl, R result) {
    enum Kind { PUT, REMOVE, KEEP }

    static <R> Change<R> put(Object value, Duration ttl, R result) {
        return new Change<>(Kind.PUT, value, ttl, result);
    }

    static <R> Change<R> remove(R result) {
        return new Change<>(Kind.REMOVE, null, null, result);
    }

    static <R> Change<R> keep(R result) {
        return new Change<>(Kind.KEEP, null, null, result);
    }
}
