package io.tiercache.jcache;

import io.tiercache.engine.L1Ref;
import io.tiercache.engine.Mutation;
import io.tiercache.engine.PayloadEncoder;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncItem;
import io.tiercache.jcache.codec.Envelope;
import io.tiercache.jcache.codec.KeyCodec.KeyId;
import io.tiercache.jcache.event.EventDispatcher;
import io.tiercache.jcache.event.TierCacheEntryEvent;
import io.tiercache.jcache.management.MBeanRegistrar;
import io.tiercache.jcache.management.StatisticsRecorder;
import io.tiercache.jcache.management.TierCacheMXBean;
import io.tiercache.jcache.management.TierCacheStatistics;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.event.EventType;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The JCache {@link Cache} over the engine: every cache is the engine namespace {@code <name>/}, and every per-key
 * operation runs inside {@link SyncEngine#compute}, so it is atomic with respect to all other writes of that key
 * through the engine (loader, writer and expiry policy calls included). Listeners hear about a change after the
 * engine has applied it, before the call returns (synchronous listeners) or soon after (asynchronous ones).
 *
 * <pre>{@code
 * CacheManager manager = Caching.getCachingProvider().getCacheManager();
 * Cache<String, Integer> counters = manager.createCache("counters",
 *         new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class));
 * counters.put("visits", 1);
 * counters.invoke("visits", (entry, args) -> { entry.setValue(entry.getValue() + 1); return null; });
 * SyncEngine engine = counters.unwrap(SyncEngine.class);   // the engine underneath
 * }</pre>
 */
public final class TierCache<K, V> implements Cache<K, V> {
    private final TierCacheManager manager;
    private final String name;
    private final TierCacheConfiguration<K, V> configuration;
    private final SyncEngine engine;
    private final StoredEntries<K, V> entries;
    private final Integration<K, V> integration;
    private final EventDispatcher<K, V> events;
    private final ExecutorService loadExecutor;
    private final StatisticsRecorder stats = new StatisticsRecorder();
    private final TierCacheMXBean mxBean;
    private final BulkOperations<K, V> bulk;
    private final Invocations<K, V> invocations;
    private final SingleKeyWrites<K, V> writes;
    /** Decoded values of L1 hits, or null where gets may change the entry or values cannot be shared. */
    private final NearCache<K, V> near;
    /** Encodes the values of overwrites through the near cache's entries when the engine needs their bytes. */
    private final PayloadEncoder eternalEncoder;
    private volatile boolean closed;

    TierCache(TierCacheManager manager, String name, TierCacheConfiguration<K, V> configuration, SyncEngine engine,
              StoredEntries<K, V> entries, Integration<K, V> integration, EventDispatcher<K, V> events,
              ExecutorService loadExecutor) {
        this.manager = manager;
        this.name = name;
        this.configuration = configuration;
        this.engine = engine;
        this.entries = entries;
        this.integration = integration;
        this.events = events;
        this.loadExecutor = loadExecutor;
        this.mxBean = new TierCacheMXBean(() -> configuration);
        this.bulk = new BulkOperations<>(this, engine, entries, integration, stats, loadExecutor);
        this.invocations = new Invocations<>(this, entries, integration, stats);
        this.writes = new SingleKeyWrites<>(this, entries, integration, stats);
        this.near = entries.getsNeverChangeEntries() ? new NearCache<K, V>(engine, entries.keys()).open() : null;
        this.eternalEncoder = near == null ? null : entries.eternalEncoder(near);
        setStatisticsEnabled(configuration.isStatisticsEnabled());
        setManagementEnabled(configuration.isManagementEnabled());
    }

    // ---------------------------------------------------------------- the atomic step every operation is made of

    private volatile RemoteEvents<K, V> remoteEvents;

    <R> R atomically(K key, Function<CurrentEntry<K, V>, Mutation<R>> function) {
        return atomically(entries.id(key), null, function);
    }

    <R> R atomically(KeyId id, Function<CurrentEntry<K, V>, Mutation<R>> function) {
        return atomically(id, null, function);
    }

    <R> R atomically(K key, List<TierCacheEntryEvent<K, V>> events,
                     Function<CurrentEntry<K, V>, Mutation<R>> function) {
        return atomically(entries.id(key), events, function);
    }

    /**
     * Decides {@code function} on the id's current entry atomically; it records its events in {@code events} (null:
     * nobody listens). With several nodes a decision may be taken more than once (the engine retries after another
     * node's write won): what a lost attempt recorded is dropped, so only the last decision's events remain.
     */
    <R> R atomically(KeyId id, List<TierCacheEntryEvent<K, V>> events,
                     Function<CurrentEntry<K, V>, Mutation<R>> function) {
        requireOpen();
        int mark = events == null ? 0 : events.size();
        try {
            return engine.compute(id.id(), item -> {
                // Another node won the previous attempt: what it recorded describes an entry that was never written.
                if (events != null && events.size() > mark) {
                    events.subList(mark, events.size()).clear();
                }
                return function.apply(new CurrentEntry<>(this, entries, id, item, entries.now()));
            });
        } catch (CacheException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * Stores {@code value} as an eternal entry without reading the current one: one engine submit under the key's
     * lock, so it is as atomic as {@link #atomically}. Only for caches whose puts ignore the current entry.
     */
    void overwrite(K key, V value) {
        requireOpen();
        try {
            // Through the key's L1 entry when the near cache holds it: no id to build, no engine map to look in.
            // It holds only keys whose id needs no stored key (NearCache.track), hence no stored key below.
            L1Ref ref = near == null ? null : near.ref(key);
            if (ref != null) {
                // An immutable value is encoded only when a tier needs it: overwrites between two flushes encode
                // nothing, and the entry serves the value itself to the near cache.
                if (entries.defersEncoding(value)) {
                    engine.putOwned(ref, value, eternalEncoder, entries.eternalOptions());
                    return;
                }
                SyncItem item = engine.putOwned(ref, entries.eternalPayload(null, entries.prepare(value)),
                        entries.eternalOptions());
                near.wrote(ref, item, value);
                return;
            }
            StoredEntries.Prepared prepared = entries.prepare(value);
            KeyId id = entries.id(key);
            SyncItem item = engine.submitWith(id.id(), entries.eternalPayload(id.storedKey(), prepared),
                    entries.eternalOptions()).join();
            if (near != null && (ref = near.track(key, id)) != null) {
                near.wrote(ref, item, prepared.value());
            }
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw cause instanceof CacheException cacheException ? cacheException
                    : new CacheException("cache '" + name + "': " + cause.getMessage(), cause);
        } catch (CacheException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Lets listeners hear of other nodes' writes too ({@code tiercache.events.remote}); see {@link RemoteEvents}. */
    void hearRemoteWrites() {
        RemoteEvents<K, V> remote = new RemoteEvents<>(this, engine, entries);
        if (remote.start()) {
            remoteEvents = remote;
        }
    }

    boolean hasListeners() {
        return events.hasListeners();
    }

    TierCacheEntryEvent<K, V> event(EventType type, K key, V value, V oldValue) {
        return new TierCacheEntryEvent<>(this, type, key, value, oldValue, type != EventType.CREATED);
    }

    /** A list to collect one operation's events in, or null while no listener is registered (events are skipped). */
    List<TierCacheEntryEvent<K, V>> eventSink() {
        return events.hasListeners() ? new ArrayList<>(2) : null;
    }

    /**
     * {@link #atomically} with a sink for the events the operation produces (null while no listener is registered),
     * dispatched once the operation is done.
     */
    <R> R atomicallyWithEvents(K key, BiFunction<CurrentEntry<K, V>, List<TierCacheEntryEvent<K, V>>, Mutation<R>>
            operation) {
        List<TierCacheEntryEvent<K, V>> out = eventSink();
        R result = atomically(key, out, current -> operation.apply(current, out));
        dispatch(out);
        return result;
    }

    void dispatch(List<TierCacheEntryEvent<K, V>> batch) {
        if (batch != null) {
            events.dispatch(batch);
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public V get(K key) {
        requireOpen();
        requireKey(key);
        List<TierCacheEntryEvent<K, V>> out = eventSink();
        V value = getValue(key, out);
        dispatch(out);
        return value;
    }

    /**
     * A read with read-through: a hit applies the access expiry, a miss may load and create. {@code out} collects
     * the events (EXPIRED, CREATED by a load); null when nobody listens, then the events are dropped.
     *
     * <p>Lock-free first: a live entry whose access expiry leaves it as it is (null from the policy, as the eternal,
     * created and modified policies answer), and a plain miss without read-through, change nothing, so they are
     * answered from a single engine read. Only an access that rewrites the expiry, an expired entry (EXPIRED event,
     * removal) or a load takes the key's compute.
     */
    V getValue(K key, List<TierCacheEntryEvent<K, V>> out) {
        long start = stats.start();
        try {
            if (near != null) {
                V held = near.get(key, entries.clock());
                if (held != null) {
                    stats.hit();
                    return held;
                }
            }
            KeyId id = entries.id(key);
            SyncItem item = peek(id);
            Long accessExpireAt = null;
            if (item != null) {
                Envelope envelope = entries.envelopeOf(item);
                long now = entries.now();
                if (!envelope.isExpiredAt(now) && entries.isAvailable(id.id(), envelope)) {
                    V value = entries.valueOf(id.id(), envelope);
                    if (value != null) {
                        accessExpireAt = entries.accessExpiry(now);
                        if (accessExpireAt == null) {
                            stats.hit();
                            if (near != null) {
                                near.offer(key, id, item, value, envelope.expireAt());
                            }
                            return value;
                        }
                    }
                }
            } else if (!integration.readsThrough()) {
                stats.miss();
                return null;
            }
            Long touchAt = accessExpireAt;
            return atomically(id, out, current -> {
                if (current.live()) {
                    stats.hit();
                    V value = current.value();
                    return touchAt != null ? current.touch(touchAt, value) : current.touch(value);
                }
                current.reportExpired(key, out);
                stats.miss();
                V loaded = integration.readsThrough() ? integration.load(key) : null;
                if (loaded == null) {
                    return current.delete(null);
                }
                return current.create(key, loaded, entries.prepare(loaded), out, loaded, null);
            });
        } finally {
            stats.getTime(start);
        }
    }

    /** The engine's current item for {@code id} without taking its lock, or null. */
    private SyncItem peek(KeyId id) {
        try {
            return engine.get(id.id()).orElse(null);
        } catch (CacheException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + name + "': " + e.getMessage(), e);
        }
    }

    @Override
    public Map<K, V> getAll(Set<? extends K> keys) {
        requireOpen();
        requireKeys(keys);
        return bulk.getAll(keys);
    }

    /** Whether a live entry exists; no statistics, no expiry policy call, no loading. */
    @Override
    public boolean containsKey(K key) {
        requireOpen();
        requireKey(key);
        KeyId id = entries.id(key);
        try {
            return engine.get(id.id()).map(item -> {
                Envelope envelope = entries.envelopeOf(item);
                return !envelope.isExpiredAt(entries.now()) && entries.isAvailable(id.id(), envelope);
            }).orElse(false);
        } catch (CacheException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + name + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener listener) {
        requireOpen();
        requireKeys(keys);
        bulk.loadAll(keys, replaceExistingValues, listener);
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void put(K key, V value) {
        requireOpen();
        requireEntry(key, value);
        writes.put(key, value);
    }

    @Override
    public V getAndPut(K key, V value) {
        requireOpen();
        requireEntry(key, value);
        return writes.getAndPut(key, value);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> map) {
        requireOpen();
        Objects.requireNonNull(map, "map must not be null");
        map.forEach(this::requireEntry);
        bulk.putAll(map, true, true);
    }

    @Override
    public boolean putIfAbsent(K key, V value) {
        requireOpen();
        requireEntry(key, value);
        return writes.putIfAbsent(key, value);
    }

    @Override
    public boolean remove(K key) {
        requireOpen();
        requireKey(key);
        return writes.remove(key);
    }

    @Override
    public boolean remove(K key, V oldValue) {
        requireOpen();
        requireKey(key);
        Objects.requireNonNull(oldValue, "oldValue must not be null");
        return writes.remove(key, oldValue);
    }

    @Override
    public V getAndRemove(K key) {
        requireOpen();
        requireKey(key);
        return writes.getAndRemove(key);
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        requireOpen();
        requireEntry(key, newValue);
        Objects.requireNonNull(oldValue, "oldValue must not be null");
        return writes.replace(key, oldValue, newValue);
    }

    @Override
    public boolean replace(K key, V value) {
        return getAndReplace(key, value) != null;
    }

    @Override
    public V getAndReplace(K key, V value) {
        requireOpen();
        requireEntry(key, value);
        return writes.getAndReplace(key, value);
    }

    @Override
    public void removeAll(Set<? extends K> keys) {
        requireOpen();
        requireKeys(keys);
        bulk.removeAll(new LinkedHashSet<>(keys), true);
    }

    @Override
    public void removeAll() {
        requireOpen();
        bulk.removeAll(bulk.allKeys(), false);
    }

    @Override
    public void clear() {
        requireOpen();
        clearStorage();
    }

    /** Deletes every entry of this cache from every tier: no writer calls, no events, no statistics. */
    void clearStorage() {
        try {
            bulk.clear();
            if (near != null) {
                near.clear();
            }
        } catch (RuntimeException e) {
            throw new CacheException("cache '" + name + "': clear failed: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- entry processors and iteration

    @Override
    public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        requireOpen();
        requireKey(key);
        Objects.requireNonNull(processor, "entryProcessor must not be null");
        return invocations.invoke(key, processor, arguments);
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> processor,
                                                         Object... arguments) {
        requireOpen();
        requireKeys(keys);
        Objects.requireNonNull(processor, "entryProcessor must not be null");
        return invocations.invokeAll(keys, processor, arguments);
    }

    @Override
    public Iterator<Cache.Entry<K, V>> iterator() {
        requireOpen();
        return new EntryIterator<>(this, engine, entries);
    }

    /** Called by the iterator for each entry it hands out: counts the hit and applies the access expiry. */
    void accessedByIterator(KeyId id, long start) {
        stats.hit();
        stats.getTime(start);
        Long expireAt = entries.accessExpiry(entries.now());
        if (expireAt != null) {
            atomically(id, current -> current.live() ? current.touch(expireAt, null) : Mutation.<Void>keep(null));
        }
    }

    /** Called by the iterator's {@code remove()}: a write-through removal with a REMOVED event. */
    void removeFromIterator(K key, V value) {
        long start = stats.start();
        boolean removed = atomically(key, current -> {
            integration.delete(key);
            return current.delete(current.live());
        });
        if (removed) {
            dispatch(List.of(event(EventType.REMOVED, key, value, value)));
            stats.removal(start);
        }
    }

    /** How many decoded values the near cache holds (-1 without one); for tests. */
    long nearCacheSize() {
        return near == null ? -1 : near.size(entries.clock());
    }

    /** The value L1's item for {@code key} was put with and is still not encoded from, or null; for tests. */
    Object unencodedValue(K key) {
        SyncItem item = near == null ? null : engine.getCached(entries.id(key).id()).orElse(null);
        return item == null ? null : item.unencodedValueFor(near);
    }

    long statisticsStart() {
        return stats.start();
    }

    // ---------------------------------------------------------------- listeners, configuration, management

    @Override
    public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "cacheEntryListenerConfiguration must not be null");
        synchronized (configuration) {
            configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
            events.register(listenerConfiguration);
        }
    }

    @Override
    public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "cacheEntryListenerConfiguration must not be null");
        synchronized (configuration) {
            configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
            events.deregister(listenerConfiguration);
        }
    }

    /** A copy of the configuration: a {@link TierCacheConfiguration}, so every JCache configuration type works. */
    @Override
    public <C extends Configuration<K, V>> C getConfiguration(Class<C> type) {
        TierCacheConfiguration<K, V> copy = configurationCopy();
        if (type.isInstance(copy)) {
            return type.cast(copy);
        }
        throw new IllegalArgumentException("the configuration of cache '" + name + "' is a "
                + TierCacheConfiguration.class.getName() + ", not a " + type.getName());
    }

    TierCacheConfiguration<K, V> configurationCopy() {
        synchronized (configuration) {
            return new TierCacheConfiguration<>(configuration);
        }
    }

    void setStatisticsEnabled(boolean enabled) {
        if (enabled) {
            MBeanRegistrar.register(MBeanRegistrar.Kind.STATISTICS, manager.getURI(), name, stats.statistics());
        } else {
            MBeanRegistrar.unregister(MBeanRegistrar.Kind.STATISTICS, manager.getURI(), name);
        }
        stats.setEnabled(enabled);
        synchronized (configuration) {
            configuration.setStatisticsEnabled(enabled);
        }
    }

    void setManagementEnabled(boolean enabled) {
        if (enabled) {
            MBeanRegistrar.register(MBeanRegistrar.Kind.CONFIGURATION, manager.getURI(), name, mxBean);
        } else {
            MBeanRegistrar.unregister(MBeanRegistrar.Kind.CONFIGURATION, manager.getURI(), name);
        }
        synchronized (configuration) {
            configuration.setManagementEnabled(enabled);
        }
    }

    /** The statistics this cache counts while statistics are enabled (the same object as its statistics MXBean). */
    public TierCacheStatistics statistics() {
        return stats.statistics();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public CacheManager getCacheManager() {
        return manager;
    }

    /** Closes this cache object; its entries stay in the engine (use {@code destroyCache} to delete them). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        manager.release(name, this);
        setStatisticsEnabled(false);
        setManagementEnabled(false);
        loadExecutor.shutdown();
        if (remoteEvents != null) {
            remoteEvents.stop();
        }
        if (near != null) {
            near.close();
        }
        events.close();
        integration.close(entries.expiryPolicy());
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Unwraps to this cache, its {@link SyncEngine}, or a copy of its configuration
     * ({@link TierCacheConfiguration}, {@link CompleteConfiguration}).
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (type.isInstance(engine)) {
            return type.cast(engine);
        }
        if (Configuration.class.isAssignableFrom(type) && type.isAssignableFrom(TierCacheConfiguration.class)) {
            return type.cast(configurationCopy());
        }
        throw new IllegalArgumentException("cache '" + name + "' cannot be unwrapped to " + type.getName()
                + " (supported: TierCache, SyncEngine, TierCacheConfiguration)");
    }

    // ---------------------------------------------------------------- argument checks

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache '" + name + "' is closed");
        }
    }

    private static void requireKey(Object key) {
        Objects.requireNonNull(key, "key must not be null");
    }

    private static void requireKeys(Set<?> keys) {
        Objects.requireNonNull(keys, "keys must not be null");
        for (Object key : keys) {
            requireKey(key);
        }
    }

    /** Null checks, and the runtime type check the configured key and value types ask for. */
    private void requireEntry(K key, V value) {
        requireKey(key);
        Objects.requireNonNull(value, "value must not be null");
        Class<K> keyType = configuration.getKeyType();
        Class<V> valueType = configuration.getValueType();
        if (keyType != Object.class && !keyType.isInstance(key)) {
            throw new ClassCastException("cache '" + name + "' takes keys of type " + keyType.getName() + ", not "
                    + key.getClass().getName());
        }
        if (valueType != Object.class && !valueType.isInstance(value)) {
            throw new ClassCastException("cache '" + name + "' takes values of type " + valueType.getName()
                    + ", not " + value.getClass().getName());
        }
    }

    @Override
    public String toString() {
        return "TierCache{" + name + " in " + manager.getURI() + "}";
    }
}
