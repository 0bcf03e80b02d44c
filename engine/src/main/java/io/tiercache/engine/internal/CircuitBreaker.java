package io.tiercache.engine.internal;

import io.tiercache.engine.TimeSource;

/**
 * Keeps a failing backend from being hammered: after {@code failureThreshold} consecutive failures it opens and
 * refuses calls for a back-off that doubles with each failed probe (up to {@code maxOpenMillis}); then one probe is
 * let through (half-open) and its outcome closes or reopens the breaker.
 */
public final class CircuitBreaker {

    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final String name;
    private final TimeSource time;
    private final int failureThreshold;
    private final long baseOpenMillis;
    private final long maxOpenMillis;

    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openUntil;
    private long currentOpenMillis;

    public CircuitBreaker(String name, TimeSource time, int failureThreshold, long baseOpenMillis, long maxOpenMillis) {
        this.name = name;
        this.time = time;
        this.failureThreshold = failureThreshold;
        this.baseOpenMillis = baseOpenMillis;
        this.maxOpenMillis = Math.max(baseOpenMillis, maxOpenMillis);
        this.currentOpenMillis = baseOpenMillis;
    }

    /** Whether a call may go to the backend now; an open breaker past its back-off turns half-open and allows one. */
    public synchronized boolean allowsCall() {
        if (state == State.OPEN && time.currentTimeMillis() >= openUntil) {
            state = State.HALF_OPEN;
            return true;
        }
        return state == State.CLOSED;
    }

    /**
     * The probe {@link #allowsCall()} granted was not sent (there turned out to be nothing to send): the next call
     * may probe at once. Without this a half-open breaker whose probe never reports would refuse calls for good.
     */
    public synchronized void probeUnused() {
        if (state == State.HALF_OPEN) {
            state = State.OPEN;
            openUntil = time.currentTimeMillis();
        }
    }

    public synchronized void recordSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        currentOpenMillis = baseOpenMillis;
    }

    public synchronized void recordFailure() {
        consecutiveFailures++;
        if (state == State.HALF_OPEN) {
            currentOpenMillis = Math.min(maxOpenMillis, currentOpenMillis * 2);
            open();
        } else if (consecutiveFailures >= failureThreshold) {
            open();
        }
    }

    public synchronized State state() {
        if (state == State.OPEN && time.currentTimeMillis() >= openUntil) {
            return State.HALF_OPEN;
        }
        return state;
    }

    public String name() {
        return name;
    }

    private void open() {
        state = State.OPEN;
        openUntil = time.currentTimeMillis() + currentOpenMillis;
    }

    @Override
    public synchronized String toString() {
        return name + "=" + state();
    }
}
