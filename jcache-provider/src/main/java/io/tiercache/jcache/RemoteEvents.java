package io.tiercache.jcache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tiercache.engine.RemoteChangeListener;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.jcache.codec.Envelope;
import io.tiercache.jcache.event.TierCacheEntryEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.cache.event.EventType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Entry events for writes other nodes made ({@code tiercache.events.remote=true}): the engine's change stream names
 * the id, this node reads the entry as stored now and dispatches UPDATED, or REMOVED for a delete, to the cache's
 * listeners on one thread of the cache's own, never on the stream's. A write announced twice (early, then when
 * flushed) is dispatched once.
 */
final class RemoteEvents<K, V> implements RemoteChangeListener {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteEvents.class);

    private final TierCache<K, V> cache;
    private final SyncEngine engine;
    private final StoredEntries<K, V> entries;
    private final String namespace;
    private final Cache<String, Long> dispatchedVersions = Caffeine.newBuilder().maximumSize(10_000).build();
    private final ExecutorService executor;

    RemoteEvents(TierCache<K, V> cache, SyncEngine engine, StoredEntries<K, V> entries) {
        this.cache = cache;
        this.engine = engine;
        this.entries = entries;
        this.namespace = entries.namespace();
        ThreadPoolExecutor single = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "tiercache-remote-events-" + cache.getName());
                    thread.setDaemon(true);
                    return thread;
                });
        single.allowCoreThreadTimeOut(true);
        this.executor = single;
    }

    /** Starts hearing other nodes' writes; false if the engine has no Redis to hear them through. */
    boolean start() {
        return engine.addRemoteChangeListener(this);
    }

    void stop() {
        engine.removeRemoteChangeListener(this);
        executor.shutdown();
    }

    @Override
    public void changed(String id, long version, boolean deleted) {
        if (!id.startsWith(namespace) || !cache.hasListeners()) {
            return;
        }
        executor.execute(() -> {
            try {
                deliver(id, version, deleted);
            } catch (RuntimeException e) {
                LOG.warn("remote event for '{}' in cache '{}' could not be delivered: {}", id, cache.getName(),
                        e.toString());
            }
        });
    }

    private void deliver(String id, long version, boolean deleted) {
        Long seen = dispatchedVersions.getIfPresent(id);
        if (seen != null && seen >= version) {
            return;
        }
        dispatchedVersions.put(id, version);
        if (deleted) {
            K key = entries.keyOfReadableId(id);
            if (key != null) {
                cache.dispatch(List.of(new TierCacheEntryEvent<>(cache, EventType.REMOVED, key, null, null, false)));
            }
            return;
        }
        Optional<SyncItem> stored = engine.get(id);
        if (stored.isEmpty() || stored.get().version() != version) {
            // Changed again since: that change's own announcement (or this node's own event) reports it.
            return;
        }
        Envelope envelope = entries.envelopeOf(stored.get());
        if (envelope.isExpiredAt(entries.now()) || !entries.isAvailable(id, envelope)) {
            return;
        }
        V value = entries.valueOf(id, envelope);
        if (value != null) {
            cache.dispatch(List.of(new TierCacheEntryEvent<>(cache, EventType.UPDATED, entries.keyOf(id, envelope),
                    value, null, false)));
        }
    }
}
