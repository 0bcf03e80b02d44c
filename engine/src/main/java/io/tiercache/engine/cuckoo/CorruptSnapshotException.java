package io.tiercache.engine.cuckoo;

import java.io.IOException;

/**
 * A cuckoo filter snapshot that cannot be trusted: truncated, corrupted (checksum mismatch), of another format
 * version, or built with another hash. The caller rebuilds the filter from the ground truth instead.
 */
public class CorruptSnapshotException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptSnapshotException(String message) {
        super(message);
    }

    public CorruptSnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
