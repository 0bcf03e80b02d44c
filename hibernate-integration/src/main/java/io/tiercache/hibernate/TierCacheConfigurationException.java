package io.tiercache.hibernate;

import org.hibernate.cache.CacheException;

/** The tiercache settings cannot be used; the message names the setting and, in strict mode, every problem found. */
public final class TierCacheConfigurationException extends CacheException {
    private static final long serialVersionUID = 1L;

    public TierCacheConfigurationException(String message) {
        super(message);
    }

    public TierCacheConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
