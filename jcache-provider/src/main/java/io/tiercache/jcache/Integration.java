package io.tiercache.jcache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * A cache's loader and writer, called with the spec's exception rules: anything they throw reaches the caller as a
 * {@link CacheLoaderException} / {@link CacheWriterException} (wrapped if it was not one already).
 */
final class Integration<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(Integration.class);

    private final CacheLoader<K, V> loader;
    private final CacheWriter<? super K, ? super V> writer;
    private final boolean readThrough;
    private final boolean writeThrough;

    Integration(CacheLoader<K, V> loader, CacheWriter<? super K, ? super V> writer, boolean readThrough,
                boolean writeThrough) {
        this.loader = loader;
        this.writer = writer;
        this.readThrough = readThrough && loader != null;
        this.writeThrough = writeThrough && writer != null;
    }

    boolean hasLoader() {
        return loader != null;
    }

    boolean readsThrough() {
        return readThrough;
    }

    boolean writesThrough() {
        return writeThrough;
    }

    V load(K key) {
        try {
            return loader.load(key);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("the CacheLoader failed to load key " + key + ": " + e, e);
        }
    }

    Map<K, V> loadAll(Iterable<? extends K> keys) {
        try {
            return loader.loadAll(keys);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("the CacheLoader failed in loadAll: " + e, e);
        }
    }

    void write(K key, V value) {
        if (!writeThrough) {
            return;
        }
        try {
            writer.write(new TierCacheEntry<>(key, value));
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("the CacheWriter failed to write key " + key + ": " + e, e);
        }
    }

    void delete(K key) {
        if (!writeThrough) {
            return;
        }
        try {
            writer.delete(key);
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("the CacheWriter failed to delete key " + key + ": " + e, e);
        }
    }

    /**
     * Writes the batch; on failure the collection keeps the entries that were not written and the wrapped failure is
     * returned for the caller to throw after applying the written ones.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    CacheException writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
        try {
            ((CacheWriter) writer).writeAll(entries);
            return null;
        } catch (CacheWriterException e) {
            return e;
        } catch (Exception e) {
            return new CacheWriterException("the CacheWriter failed in writeAll: " + e, e);
        }
    }

    /** Deletes the batch; on failure the collection keeps the keys that were not deleted. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    CacheException deleteAll(Collection<?> keys) {
        try {
            ((CacheWriter) writer).deleteAll(keys);
            return null;
        } catch (CacheWriterException e) {
            return e;
        } catch (Exception e) {
            return new CacheWriterException("the CacheWriter failed in deleteAll: " + e, e);
        }
    }

    void close(Object expiryPolicy) {
        for (Object part : new Object[]{loader, writer, expiryPolicy}) {
            if (part instanceof Closeable closeable) {
                try {
                    closeable.close();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("closing {} failed", part, e);
                }
            }
        }
    }
}
