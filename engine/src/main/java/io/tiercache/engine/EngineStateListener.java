package io.tiercache.engine;

/** Told of every lifecycle transition, on the thread that made it. */
@FunctionalInterface
public interface EngineStateListener {
    void onTransition(EngineState from, EngineState to);
}
