package io.tiercache.engine;

/**
 * The engine's clock, injectable so tests move time instead of sleeping.
 *
 * <pre>{@code
 * AtomicLong now = new AtomicLong(1_000);
 * SyncEngineConfig config = SyncEngineConfig.builder().timeSource(now::get).build();
 * }</pre>
 */
@FunctionalInterface
public interface TimeSource {
    /** Wall-clock epoch milliseconds. */
    long currentTimeMillis();

    static TimeSource system() {
        return System::currentTimeMillis;
    }
}
