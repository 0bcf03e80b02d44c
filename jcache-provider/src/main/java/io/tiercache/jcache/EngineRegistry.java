package io.tiercache.jcache;

import io.tiercache.engine.SyncEngine;
import io.tiercache.jcache.configuration.TierCacheSettings;

import javax.cache.CacheException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One engine per storage location in this JVM: an engine owns its WAL and SQLite files, so two CacheManagers over the
 * same data directory and SQL URL must share it. Counted by lease; the last release shuts the engine down.
 * L1-only managers share nothing and get an engine of their own.
 */
final class EngineRegistry {
    private static final Map<String, Shared> SHARED = new HashMap<>();
    private static final Set<SyncEngine> OPEN = new HashSet<>();

    static {
        // Writes acknowledged at MEMORY durability sit in the write-behind queue for up to a flush interval; an
        // application that exits without closing its CacheManagers still gets them stored.
        Thread hook = new Thread(EngineRegistry::shutdownAll, "tiercache-jcache-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

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
                    OPEN.remove(engine);
                    engine.shutdown();
                    return;
                }
                Shared shared = SHARED.get(key);
                if (shared != null && --shared.leases == 0) {
                    SHARED.remove(key);
                    OPEN.remove(shared.engine);
                    shared.engine.shutdown();
                }
            }
        }
    }

    private static final class Shared {
        final SyncEngine engine;
        final TierCacheSettings settings;
        int leases;

        Shared(SyncEngine engine, TierCacheSettings settings) {
            this.engine = engine;
            this.settings = settings;
        }
    }

    /**
     * Two engines must never share a WAL or an SQLite file; managers that name the same data directory with another
     * L3 (or the same SQLite file from another data directory) are refused instead of corrupting either.
     */
    private static void refuseHalfOverlap(TierCacheSettings settings) {
        for (Shared open : SHARED.values()) {
            boolean sameWal = open.settings.walLocation().equals(settings.walLocation());
            boolean sameL3 = open.settings.l3Location().equals(settings.l3Location());
            if (sameWal != sameL3) {
                throw new CacheException("tiercache.data-dir " + settings.walLocation() + " with L3 "
                        + settings.l3Location() + " overlaps an open engine using data-dir "
                        + open.settings.walLocation() + " with L3 " + open.settings.l3Location()
                        + "; CacheManagers sharing storage must name the same tiercache.data-dir and tiercache.sql.url");
            }
        }
    }

    private static void shutdownAll() {
        List<SyncEngine> engines;
        synchronized (EngineRegistry.class) {
            engines = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        for (SyncEngine engine : engines) {
            try {
                engine.shutdown();
            } catch (RuntimeException e) {
                System.err.println("tiercache: flushing an engine at JVM exit failed: " + e);
            }
        }
    }

    static synchronized Lease acquire(TierCacheSettings settings) {
        Optional<String> key = settings.storageKey();
        if (key.isEmpty()) {
            return new Lease(start(settings), null);
        }
        Shared shared = SHARED.get(key.get());
        if (shared == null) {
            refuseHalfOverlap(settings);
            shared = new Shared(start(settings), settings);
            SHARED.put(key.get(), shared);
        }
        shared.leases++;
        return new Lease(shared.engine, key.get());
    }

    private static SyncEngine start(TierCacheSettings settings) {
        try {
            if (settings.sqlEnabled()) {
                Files.createDirectories(settings.dataDir());
            }
            SyncEngine engine = SyncEngine.start(settings.engineConfig());
            OPEN.add(engine);
            return engine;
        } catch (IOException e) {
            throw new CacheException("cannot create tiercache.data-dir " + settings.dataDir().toAbsolutePath()
                    + ": " + e, e);
        } catch (RuntimeException e) {
            throw new CacheException("cannot start the tiercache engine with " + settings + ": " + e.getMessage(), e);
        }
    }
}
