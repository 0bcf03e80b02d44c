package io.tiercache.jcache.codec;

import javax.cache.CacheException;

/** A key or value could not be encoded or decoded; the message names the class and, for refusals, the setting. */
public class CodecException extends CacheException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
