package io.tiercache.hibernate.codec;

import java.io.IOException;

/** The entry was written for a different entity or collection shape than this node maps; it reads as a miss. */
public final class StaleShapeException extends IOException {
    private static final long serialVersionUID = 1L;

    public StaleShapeException(String message) {
        super(message);
    }
}
