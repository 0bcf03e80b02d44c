package io.tiercache.engine;

/** The engine's lifecycle; it only ever moves forward. */
public enum EngineState {
    CREATED,
    STARTING,
    READY,
    SHUTTING_DOWN,
    STOPPED
}
