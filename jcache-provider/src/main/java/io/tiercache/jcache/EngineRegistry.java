package io.tiercache.jcache;

import io.tiercache.engine.SyncEngine;
import io.tiercache.jcache.configuration.TierCacheSettings;

import javax.cache.CacheException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One engine per storage location in this JVM: an engine owns its WAL and SQLite files, so two CacheManagers over the
 * same data directory and SQL URL must share it. Counted by lease; the last release shuts the engine down.
 * L1-only managers share nothing and get an engine of their own.
 */
final class EngineRegistry {
    private static final Map<String, Shared> SHARED = new HashMap<>();

    private EngineRegistry() {
    }

    /** A hold on an engine; {@link #release()} it exactly once. */
    static final class Lease {
        private final SyncEngine engine;
        private final String key;
        private boolean released;

        private Lease(SyncEngine engine, String key) {
            this.engine = engine;
            this.key = key;
        }

        SyncEngine engine() {
            return engine;
        }

        void release() {
            synchronized (EngineRegistry.class) {
                if (released) {
                    return;
                }
                released = true;
                if (key == null) {
                    engine.shutdown();
                    return;
                }
                Shared shared = SHARED.get(key);
                if (shared != null && --shared.leases == 0) {
                    SHARED.remove(key);
                    shared.engine.shutdown();
                }
            }
        }
    }

    private static final class Shared {
        final SyncEngine engine;
        int leases;

        Shared(SyncEngine engine) {
            this.engine = engine;
        }
    }

    static synchronized Lease acquire(TierCacheSettings settings) {
        Optional<String> key = settings.storageKey();
        if (key.isEmpty()) {
            return new Lease(start(settings), null);
        }
        Shared shared = SHARED.computeIfAbsent(key.get(), k -> new Shared(start(settings)));
        shared.leases++;
        return new Lease(shared.engine, key.get());
    }

    private static SyncEngine start(TierCacheSettings settings) {
        try {
            if (settings.sqlEnabled()) {
                Files.createDirectories(settings.dataDir());
            }
            return SyncEngine.start(settings.engineConfig());
        } catch (IOException e) {
            throw new CacheException("cannot create tiercache.data-dir " + settings.dataDir().toAbsolutePath()
                    + ": " + e, e);
        } catch (RuntimeException e) {
            throw new CacheException("cannot start the tiercache engine with " + settings + ": " + e.getMessage(), e);
        }
    }
}
