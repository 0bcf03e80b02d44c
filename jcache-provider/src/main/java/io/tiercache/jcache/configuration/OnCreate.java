package io.tiercache.jcache.configuration;

/**
 * What {@code CacheManager.createCache} does with entries a previous run left in the cache's namespace, set with
 * {@code tiercache.cache.on-create}.
 *
 * <pre>{@code
 * properties.setProperty("tiercache.cache.on-create", OnCreate.KEEP.name());
 * }</pre>
 */
public enum OnCreate {
    /** Remove them: a created cache starts empty, as JCache code expects. */
    EMPTY,
    /** Keep them: a restarted application sees what it stored before (the point of an L3 ground truth). */
    KEEP
}
