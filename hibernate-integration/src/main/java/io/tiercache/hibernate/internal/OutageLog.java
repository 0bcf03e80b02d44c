package io.tiercache.hibernate.internal;

import org.slf4j.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Warnings that repeat for every cache operation while a tier is down: the first of each id in a 10-second window
 * is a WARN with a count of what was suppressed since, the rest go to DEBUG, so an outage does not flood the log.
 */
final class OutageLog {
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Map<String, Window> WINDOWS = new ConcurrentHashMap<>();

    private OutageLog() {
    }

    static void warn(Logger log, String id, String format, Object... args) {
        Window window = WINDOWS.computeIfAbsent(id, ignored -> new Window());
        long now = System.nanoTime();
        long opened = window.opened.get();
        if (now - opened >= WINDOW_NANOS && window.opened.compareAndSet(opened, now)) {
            long suppressed = window.suppressed.getAndSet(0);
            log.warn(id + " " + format + (suppressed > 0 ? " (" + suppressed + " more like it in the last 10 s)" : ""),
                    args);
        } else {
            window.suppressed.incrementAndGet();
            log.debug(id + " " + format, args);
        }
    }

    private static final class Window {
        final AtomicLong opened = new AtomicLong(System.nanoTime() - WINDOW_NANOS);
        final AtomicLong suppressed = new AtomicLong();
    }
}
