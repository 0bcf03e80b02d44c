package io.tiercache.engine;

/** A write refused because accepting it would overrun memory or the local WAL; retry after the engine drains. */
public class BackpressureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackpressureException(String message) {
        super(message);
    }
}
