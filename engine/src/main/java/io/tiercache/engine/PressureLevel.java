package io.tiercache.engine;

/** Memory pressure bands: WARN shrinks L1 and flushes early, CRITICAL refuses writes. */
public enum PressureLevel {
    NORMAL,
    WARN,
    CRITICAL
}
