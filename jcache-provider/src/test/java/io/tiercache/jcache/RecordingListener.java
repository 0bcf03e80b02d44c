package io.tiercache.jcache;

import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event as "TYPE key value old" for tests to compare. */
final class RecordingListener implements CacheEntryCreatedListener<String, String>,
        CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String>,
        CacheEntryExpiredListener<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    final List<String> events = new CopyOnWriteArrayList<>();

    private void record(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
        for (CacheEntryEvent<? extends String, ? extends String> event : batch) {
            events.add(event.getEventType() + " " + event.getKey() + " " + event.getValue() + " "
                    + (event.isOldValueAvailable() ? event.getOldValue() : "-"));
        }
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
        record(batch);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
        record(batch);
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
        record(batch);
    }

    @Override
    public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
        record(batch);
    }
}
