package io.tiercache.jcache.event;

import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import java.util.ArrayList;
import java.util.List;

/** A registered listener: the instances its configuration's factories made, and how it wants events. */
final class ListenerRegistration<K, V> {
    private final CacheEntryListenerConfiguration<K, V> configuration;
    private final CacheEntryListener<? super K, ? super V> listener;
    private final CacheEntryEventFilter<? super K, ? super V> filter;

    ListenerRegistration(CacheEntryListenerConfiguration<K, V> configuration) {
        this.configuration = configuration;
        this.listener = configuration.getCacheEntryListenerFactory().create();
        this.filter = configuration.getCacheEntryEventFilterFactory() == null
                ? null : configuration.getCacheEntryEventFilterFactory().create();
    }

    CacheEntryListenerConfiguration<K, V> configuration() {
        return configuration;
    }

    CacheEntryListener<? super K, ? super V> listener() {
        return listener;
    }

    boolean isSynchronous() {
        return configuration.isSynchronous();
    }

    boolean wants(EventType type) {
        return switch (type) {
            case CREATED -> listener instanceof CacheEntryCreatedListener;
            case UPDATED -> listener instanceof CacheEntryUpdatedListener;
            case REMOVED -> listener instanceof CacheEntryRemovedListener;
            case EXPIRED -> listener instanceof CacheEntryExpiredListener;
        };
    }

    /** Hands {@code events} (all of one type, in order) to the listener, after the filter and old-value rules. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void deliver(EventType type, List<TierCacheEntryEvent<K, V>> events) {
        List<TierCacheEntryEvent<K, V>> selected = new ArrayList<>(events.size());
        for (TierCacheEntryEvent<K, V> event : events) {
            if (filter == null || filter.evaluate(event)) {
                selected.add(configuration.isOldValueRequired() ? event : event.withoutOldValue());
            }
        }
        if (selected.isEmpty()) {
            return;
        }
        Iterable batch = selected;
        switch (type) {
            case CREATED -> ((CacheEntryCreatedListener) listener).onCreated(batch);
            case UPDATED -> ((CacheEntryUpdatedListener) listener).onUpdated(batch);
            case REMOVED -> ((CacheEntryRemovedListener) listener).onRemoved(batch);
            case EXPIRED -> ((CacheEntryExpiredListener) listener).onExpired(batch);
        }
    }
}
