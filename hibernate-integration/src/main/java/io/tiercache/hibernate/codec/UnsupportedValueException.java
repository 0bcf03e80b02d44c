package io.tiercache.hibernate.codec;

import java.io.IOException;

/** A value the codecs cannot store; the caller skips caching it rather than failing the application's work. */
public final class UnsupportedValueException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnsupportedValueException(String message) {
        super(message);
    }
}
