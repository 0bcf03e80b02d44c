package io.tiercache.engine.internal;

/**
 * This node's estimate of Redis's clock, NTP-style: each sample is Redis's time read between two local readings;
 * of the last {@link #WINDOW} samples the one with the shortest round trip is trusted, since its answer can have
 * been taken at most half that round trip away from the midpoint. A sample delayed by a busy machine thus never
 * moves the estimate far.
 */
final class SharedClock {
    static final int WINDOW = 16;

    private final long[] offsets = new long[WINDOW];
    private final long[] roundTrips = new long[WINDOW];
    private int count;
    private int next;
    private volatile long offsetMillis;
    private volatile long uncertaintyMillis = Long.MAX_VALUE / 4;

    synchronized void sample(long remoteMillis, long localBefore, long localAfter) {
        long roundTrip = Math.max(0, localAfter - localBefore);
        offsets[next] = remoteMillis - (localBefore + localAfter) / 2;
        roundTrips[next] = roundTrip;
        next = (next + 1) % WINDOW;
        count = Math.min(WINDOW, count + 1);
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (roundTrips[i] < roundTrips[best]) {
                best = i;
            }
        }
        offsetMillis = offsets[best];
        uncertaintyMillis = roundTrips[best] / 2 + 1;
    }

    /** Add to local time to get Redis's; 0 before the first sample. */
    long offsetMillis() {
        return offsetMillis;
    }

    /** Half the trusted sample's round trip plus a millisecond of resolution; huge before the first sample. */
    long uncertaintyMillis() {
        return uncertaintyMillis;
    }
}
