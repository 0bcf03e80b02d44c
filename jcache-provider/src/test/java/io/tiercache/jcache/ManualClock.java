package io.tiercache.jcache;

import io.tiercache.engine.TimeSource;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand, so expiry is tested without sleeping. */
final class ManualClock implements TimeSource {
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    @Override
    public long currentTimeMillis() {
        return now.get();
    }

    void advance(Duration duration) {
        now.addAndGet(duration.toMillis());
    }
}
