package io.tiercache.engine;

/**
 * Hears of writes other nodes sharing this engine's Redis made, as the change stream announces them: the id, the
 * version written, and whether it was a delete. Called on the engine's change-stream thread, in stream order; a
 * listener must return quickly (hand heavy work to an executor) and what it throws is logged and ignored.
 *
 * <pre>{@code
 * engine.addRemoteChangeListener((id, version, deleted) ->
 *         System.out.println((deleted ? "deleted " : "written ") + id + " @" + version));
 * }</pre>
 */
@FunctionalInterface
public interface RemoteChangeListener {
    void changed(String id, long version, boolean deleted);
}
