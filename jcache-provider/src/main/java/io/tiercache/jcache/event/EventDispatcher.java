package io.tiercache.jcache.event;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.EventType;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Delivers one cache's entry events to its registered listeners. Synchronous listeners run on the calling thread
 * before the cache operation returns (their exceptions reach the caller as {@link CacheEntryListenerException});
 * asynchronous ones run on one thread per cache, so each still sees its events in the order they happened.
 *
 * <pre>{@code
 * EventDispatcher<String, String> dispatcher = new EventDispatcher<>("users");
 * dispatcher.register(listenerConfiguration);
 * dispatcher.dispatch(List.of(new TierCacheEntryEvent<>(cache, EventType.CREATED, "k", "v", null, false)));
 * }</pre>
 */
public final class EventDispatcher<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    private final String cacheName;
    private final List<ListenerRegistration<K, V>> registrations = new CopyOnWriteArrayList<>();
    private volatile ExecutorService async;

    public EventDispatcher(String cacheName) {
        this.cacheName = cacheName;
    }

    public void register(CacheEntryListenerConfiguration<K, V> configuration) {
        registrations.add(new ListenerRegistration<>(configuration));
    }

    /** Removes the registration made from an equal configuration; false if there was none. */
    public boolean deregister(CacheEntryListenerConfiguration<K, V> configuration) {
        for (ListenerRegistration<K, V> registration : registrations) {
            if (registration.configuration().equals(configuration)) {
                registrations.remove(registration);
                closeQuietly(registration.listener());
                return true;
            }
        }
        return false;
    }

    public boolean hasListeners() {
        return !registrations.isEmpty();
    }

    /** Whether some listener takes events of {@code type}; lets callers skip building events nobody wants. */
    public boolean wants(EventType type) {
        for (ListenerRegistration<K, V> registration : registrations) {
            if (registration.wants(type)) {
                return true;
            }
        }
        return false;
    }

    /** Delivers {@code events} in order; consecutive events of one type go to a listener as one batch. */
    public void dispatch(List<TierCacheEntryEvent<K, V>> events) {
        if (events.isEmpty() || registrations.isEmpty()) {
            return;
        }
        RuntimeException failure = null;
        for (ListenerRegistration<K, V> registration : registrations) {
            if (registration.isSynchronous()) {
                try {
                    deliver(registration, events);
                } catch (RuntimeException e) {
                    failure = failure != null ? failure : e;
                }
            } else {
                asyncExecutor().execute(() -> {
                    try {
                        deliver(registration, events);
                    } catch (RuntimeException e) {
                        LOG.warn("asynchronous listener {} of cache '{}' failed", registration.listener(), cacheName, e);
                    }
                });
            }
        }
        if (failure != null) {
            throw failure instanceof CacheEntryListenerException listenerException ? listenerException
                    : new CacheEntryListenerException("a listener of cache '" + cacheName + "' failed: " + failure,
                    failure);
        }
    }

    private void deliver(ListenerRegistration<K, V> registration, List<TierCacheEntryEvent<K, V>> events) {
        int start = 0;
        while (start < events.size()) {
            EventType type = events.get(start).getEventType();
            int end = start + 1;
            while (end < events.size() && events.get(end).getEventType() == type) {
                end++;
            }
            if (registration.wants(type)) {
                registration.deliver(type, events.subList(start, end));
            }
            start = end;
        }
    }

    private ExecutorService asyncExecutor() {
        ExecutorService executor = async;
        if (executor == null) {
            synchronized (this) {
                executor = async;
                if (executor == null) {
                    executor = Executors.newSingleThreadExecutor(task -> {
                        Thread thread = new Thread(task, "tiercache-events-" + cacheName);
                        thread.setDaemon(true);
                        return thread;
                    });
                    async = executor;
                }
            }
        }
        return executor;
    }

    /** Delivers the queued asynchronous events, then closes every listener that is {@link Closeable}. */
    public void close() {
        ExecutorService executor = async;
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ListenerRegistration<K, V> registration : new ArrayList<>(registrations)) {
            closeQuietly(registration.listener());
        }
        registrations.clear();
    }

    private void closeQuietly(Object listener) {
        if (listener instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing listener {} of cache '{}' failed", listener, cacheName, e);
            }
        }
    }
}
