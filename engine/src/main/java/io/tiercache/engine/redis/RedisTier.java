package io.tiercache.engine.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.resource.ClientResources;
import io.tiercache.engine.ItemIds;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.CoordinatingTier;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tiercache.engine.merkle.CacheTreeTier;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * L2: items in Redis, shared by every node (layout in {@code package-info.java}). The blocking {@link ItemTier} is
 * derived from the asynchronous {@link RedisItemStore}: each call waits at most {@code redisResponseTimeoutMs} for its
 * whole answer, however many round trips it takes, and any Lettuce or Redis failure becomes a
 * {@link TierAccessException} for {@link Tier#L2}. Thread-safe: one instance serves every thread of a node, and
 * several nodes (or instances) may share a prefix.
 *
 * <pre>{@code
 * try (RedisTier l2 = RedisTier.open(SyncEngineConfig.builder().redisUrl("redis://127.0.0.1:6379").build(),
 *         TimeSource.system())) {
 *     l2.apply(List.of(new TierWrite.Upsert(item)));
 * }
 * }</pre>
 */
public final class RedisTier implements ItemTier, CoordinatingTier {
    private static final Logger LOG = LoggerFactory.getLogger(RedisTier.class);
    /**
     * How long a coordinated delete's tombstone outlives the item: far longer than write-behind takes to remove the
     * item from L3, after which L3 answers "deleted" by itself.
     */
    static final long TOMBSTONE_MS = 60_000;
    private final RedisConnections connections;
    private final RedisItemStore store;
    private final RedisEviction eviction;
    private final RedisMerkle merkle;
    private final TimeSource time;
    private final long responseTimeoutMs;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisTier(RedisConnections connections, SyncEngineConfig config, TimeSource time) {
        this.connections = connections;
        this.store = new RedisItemStore(connections, new RedisKeys(config.redisPrefix()), config.merkleCalcEnabled());
        this.eviction = new RedisEviction(store, config);
        this.merkle = config.merkleCalcEnabled() ? new RedisMerkle(store, this::await, time) : null;
        this.time = time;
        this.responseTimeoutMs = config.redisResponseTimeoutMs();
        this.description = connections.description() + " prefix '" + config.redisPrefix() + "'";
    }

    /**
     * Connects to {@code config.redisUrl()} and loads the scripts. {@code time} is the engine's clock: expiry times
     * are read on it, and an item's Redis deadline is the time it has left on that clock.
     *
     * @throws IllegalArgumentException if the URL is missing, malformed or of an unsupported form
     * @throws TierAccessException if Redis does not answer within the configured timeouts; a cluster opens once any
     *                             seed tells its topology, even with a master down (whose slots then fail per call)
     */
    public static RedisTier open(SyncEngineConfig config, TimeSource time) throws TierAccessException {
        return open(config, time, resources -> {
        });
    }

    /** As {@link #open(SyncEngineConfig, TimeSource)}, with a hook on the client resources (tests count flushes). */
    static RedisTier open(SyncEngineConfig config, TimeSource time, Consumer<ClientResources.Builder> customizer)
            throws TierAccessException {
        RedisConnections connections;
        try {
            connections = RedisConnections.open(config.redisUrl(), config.redisTimeoutMs(),
                    config.redisResponseTimeoutMs(), customizer);
        } catch (RedisException e) {
            throw new TierAccessException(Tier.L2, "cannot connect to Redis: " + e.getMessage(), e);
        }
        RedisTier tier = new RedisTier(connections, config, time);
        try {
            tier.await(tier.store.scripts().loadAll(), "loading scripts");
        } catch (TierAccessException e) {
            if (!connections.cluster() || e.getCause() instanceof IllegalStateException) {
                tier.close();
                throw e;
            }
            // A cluster with a master down still serves the other masters' slots; loading is only a head start,
            // since a node without the scripts gets each one by EVAL on first use (ScriptRunner).
            LOG.warn("{}: scripts not loaded on every cluster node ({}); serving what answers", tier.description,
                    e.getMessage());
        } catch (RuntimeException e) {
            tier.close();
            throw e;
        }
        return tier;
    }

    @Override
    public Tier level() {
        return Tier.L2;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Optional<SyncItem> get(String id) throws TierAccessException {
        return call(() -> store.get(id), "reading '" + id + "'");
    }

    @Override
    public Map<String, SyncItem> getMany(Collection<String> ids) throws TierAccessException {
        return call(() -> store.getMany(ids), "reading " + ids.size() + " ids");
    }

    /** Writes the batch (one pipeline); the scripts move merkle leaves, parents follow when the tree is read. */
    @Override
    public void apply(List<? extends TierWrite> writes) throws TierAccessException {
        call(() -> store.apply(writes, time.currentTimeMillis()), "writing a batch of " + writes.size());
    }

    /** Writes items the ground truth does not hold: kept out of the merkle trees (see {@link RedisMerkleLua}). */
    @Override
    public void applyCacheOnly(List<? extends TierWrite> writes) throws TierAccessException {
        call(() -> store.apply(writes, time.currentTimeMillis(), false), "writing a batch of " + writes.size());
    }

    /** This tier's merkle trees, or null when {@code merkleCalcEnabled} is off. */
    public CacheTreeTier merkle() {
        return merkle;
    }

    @Override
    public Snapshot readForUpdate(String id) throws TierAccessException {
        return call(() -> store.readForUpdate(id), "reading '" + id + "' for a compare-and-set");
    }

    /** A delete leaves a tombstone for {@link #TOMBSTONE_MS}, long enough for L3 to take the same delete. */
    @Override
    public boolean compareAndApply(Token expected, TierWrite write) throws TierAccessException {
        return call(() -> store.compareAndSet(expected, write, TOMBSTONE_MS, time.currentTimeMillis()),
                "compare-and-set of '" + write.id() + "'");
    }

    @Override
    public List<SyncItem> scanPrefix(String prefix, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        ItemIds.requireValidPrefix(prefix);
        return call(() -> items(store.ids(NamespaceQuery.byPrefix(prefix), afterId, limit, nowMillis)),
                "scanning prefix '" + prefix + "'");
    }

    @Override
    public long countPrefix(String prefix, long nowMillis) throws TierAccessException {
        ItemIds.requireValidPrefix(prefix);
        return call(() -> store.count(NamespaceQuery.byPrefix(prefix), nowMillis), "counting prefix '" + prefix + "'");
    }

    @Override
    public List<String> idsByPrefix(String prefix, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        ItemIds.requireValidPrefix(prefix);
        return call(() -> store.ids(NamespaceQuery.byPrefix(prefix), afterId, limit, nowMillis),
                "listing prefix '" + prefix + "'");
    }

    @Override
    public List<SyncItem> scanState(String state, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        SyncItem.requireValidState(state);
        return call(() -> items(store.ids(NamespaceQuery.byState(state), afterId, limit, nowMillis)),
                "scanning state '" + state + "'");
    }

    @Override
    public long countByState(String state, long nowMillis) throws TierAccessException {
        SyncItem.requireValidState(state);
        return call(() -> store.count(NamespaceQuery.byState(state), nowMillis), "counting state '" + state + "'");
    }

    @Override
    public List<String> idsByState(String state, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        SyncItem.requireValidState(state);
        return call(() -> store.ids(NamespaceQuery.byState(state), afterId, limit, nowMillis),
                "listing state '" + state + "'");
    }

    /** Removes items expired at {@code nowMillis} and their index entries; counts those Redis had not dropped yet. */
    @Override
    public long purgeExpired(long nowMillis) throws TierAccessException {
        return call(() -> store.purgeExpired(nowMillis, new ArrayList<>()), "purging expired items");
    }

    /** Index entries under this prefix: may still count items Redis expired until a scan or purge cleans them. */
    @Override
    public long size() throws TierAccessException {
        return call(store::size, "counting items");
    }

    @Override
    public void ping() throws TierAccessException {
        call(store::ping, "ping");
    }

    /**
     * Drops the items whatever their version, with their index entries: what the engine does with a copy found
     * corrupt, since a write of the same version never replaces a stored one. One pipeline.
     *
     * @return how many of the items existed
     */
    public long invalidate(Collection<String> ids) throws TierAccessException {
        return call(() -> store.invalidate(ids), "invalidating " + ids.size() + " ids");
    }

    /**
     * When Redis uses at least {@code redisEvictionStart} of its {@code maxmemory}, removes this prefix's least
     * recently used items until usage is down to {@code redisEvictionTarget} (see {@link RedisEviction}).
     *
     * @return how many items were removed (0 when disabled, under the threshold, or without a maxmemory)
     */
    public long evictIfNeeded() throws TierAccessException {
        return eviction.evictIfNeeded(this::await);
    }

    /** The ids' items in id order (items deleted between the two steps are left out). */
    private CompletableFuture<List<SyncItem>> items(CompletableFuture<List<String>> ids) {
        return ids.thenCompose(page -> store.getMany(page).thenApply(found -> page.stream()
                .map(found::get).filter(java.util.Objects::nonNull).toList()));
    }

    private <T> T call(Supplier<CompletableFuture<T>> operation, String what) throws TierAccessException {
        if (closed.get()) {
            throw new TierAccessException(Tier.L2, description + " is closed (while " + what + ")", null);
        }
        CompletableFuture<T> future;
        try {
            future = operation.get();
        } catch (RedisException e) {
            throw new TierAccessException(Tier.L2, description + " failed " + what + ": " + e.getMessage(), e);
        }
        return await(future, what);
    }

    /** Waits for a whole operation at most {@code redisResponseTimeoutMs}; failures become TierAccessException. */
    <T> T await(CompletableFuture<T> future, String what) throws TierAccessException {
        try {
            return future.get(responseTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new TierAccessException(Tier.L2, description + " did not finish " + what + " within "
                    + responseTimeoutMs + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            throw new TierAccessException(Tier.L2, description + " failed " + what + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TierAccessException(Tier.L2, "interrupted while " + what, e);
        }
    }

    /** Closes the connections and shuts the client down (its threads gone within a short timeout); idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            connections.close();
        }
    }

    /** Waits like the tier does; lets {@link RedisEviction} stay on the async path. */
    @FunctionalInterface
    interface Awaiter {
        <T> T await(CompletableFuture<T> future, String what) throws TierAccessException;
    }
}
