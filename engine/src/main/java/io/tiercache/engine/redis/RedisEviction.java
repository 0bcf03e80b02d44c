package io.tiercache.engine.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.tier.TierAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Proactive eviction: frees Redis memory from this prefix's items before Redis's own policy evicts (or, under
 * {@code noeviction}, refuses writes). Only item hashes and their index entries go, never the registry or other
 * prefixes' keys.
 *
 * <p>Recency is Redis's own: every read and write of an item hash refreshes the key's LRU clock, and OBJECT IDLETIME
 * reads it without touching it. So reads stay a single HGETALL with nothing to write, and tracking costs no memory.
 * Like Redis's own LRU this is sampled: each round draws up to {@value #SAMPLE} ids across namespaces with
 * ZRANDMEMBER (in proportion to their sizes), ranks them by idle time (by OBJECT FREQ instead, least used first,
 * when Redis runs an LFU policy and has no idle times) and removes the coldest, as many as the estimated excess
 * bytes need but at most half the sample; then it reads INFO memory again.
 *
 * <p>On a Redis Cluster every master has its own {@code maxmemory} and holds only its slots' keys, so each master is
 * measured on its own and relieved from the namespaces whose slot it serves (a namespace is one slot).
 */
final class RedisEviction {
    private static final Logger LOG = LoggerFactory.getLogger(RedisEviction.class);
    static final int SAMPLE = 512;
    private static final int SIZE_PROBES = 16;
    private static final int MAX_ROUNDS = 10_000;

    private final RedisItemStore store;
    private final boolean enabled;
    private final double start;
    private final double target;

    RedisEviction(RedisItemStore store, SyncEngineConfig config) {
        this.store = store;
        this.enabled = config.redisEvictionEnabled();
        this.start = config.redisEvictionStart();
        this.target = config.redisEvictionTarget();
    }

    long evictIfNeeded(RedisTier.Awaiter waiter) throws TierAccessException {
        if (!enabled) {
            return 0;
        }
        long evicted = 0;
        for (Map.Entry<String, Memory> master : waiter.await(memory(), "reading INFO memory").entrySet()) {
            evicted += evictOn(master.getKey(), master.getValue(), waiter);
        }
        return evicted;
    }

    /** Each cluster master has its own maxmemory and holds only its slots: it is relieved from its namespaces. */
    private long evictOn(String node, Memory memory, RedisTier.Awaiter waiter) throws TierAccessException {
        if (memory.max() <= 0 || memory.used() < start * memory.max()) {
            return 0;
        }
        long goal = (long) (target * memory.max());
        long usedBefore = memory.used();
        long evicted = 0;
        for (int round = 0; round < MAX_ROUNDS && memory != null && memory.used() > goal; round++) {
            long removed = waiter.await(round(node, memory.used() - goal), "evicting items");
            if (removed < 0) {
                break;
            }
            evicted += removed;
            memory = waiter.await(memory(), "reading INFO memory").get(node);
        }
        LOG.info("evicted {} items of prefix '{}' on {}: Redis memory {} -> {} bytes of {} (target {})", evicted,
                store.keys().prefix(), node, usedBefore, memory == null ? "?" : memory.used(),
                memory == null ? "?" : memory.max(), goal);
        return evicted;
    }

    record Memory(long used, long max) {
    }

    /** INFO memory of every master that answers (the one server, or each master of a cluster), by node. */
    CompletableFuture<Map<String, Memory>> memory() {
        return store.masters().onEachAnswering(c -> c.info("memory")).thenApply(infos -> {
            Map<String, Memory> out = new LinkedHashMap<>();
            infos.forEach((node, info) -> out.put(node, parse(info)));
            return out;
        });
    }

    private static Memory parse(String info) {
        long used = -1;
        long max = -1;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                used = Long.parseLong(line.substring("used_memory:".length()).trim());
            } else if (line.startsWith("maxmemory:")) {
                max = Long.parseLong(line.substring("maxmemory:".length()).trim());
            }
        }
        if (used < 0 || max < 0) {
            throw new IllegalStateException("INFO memory has no used_memory/maxmemory: " + info);
        }
        return new Memory(used, max);
    }

    private record Candidate(String namespace, String id, long coldness) {
    }

    /**
     * One round over the namespaces {@code node} serves: sample, rank, remove the coldest. Completes with how many
     * items were removed (0 when the sample held only index entries of items Redis had already dropped, which are
     * cleaned), or -1 when those namespaces hold nothing.
     */
    private CompletableFuture<Long> round(String node, long excessBytes) {
        RedisKeys keys = store.keys();
        return store.namespaces(NamespaceQuery.byPrefix("")).thenCompose(all -> {
            List<String> namespaces = all.stream()
                    .filter(ns -> store.masters().ownerOf(keys.ids(ns)).equals(node)).toList();
            return store.withDirect(c -> sample(c, namespaces, excessBytes));
        });
    }

    /** Draws up to {@value #SAMPLE} ids over the namespaces, in proportion to their sizes, then ranks and evicts. */
    private CompletableFuture<Long> sample(RedisClusterAsyncCommands<byte[], byte[]> c, List<String> namespaces,
                                           long excessBytes) {
        RedisKeys keys = store.keys();
        List<CompletableFuture<Long>> cards = namespaces.stream()
                .map(ns -> c.zcard(keys.ids(ns)).toCompletableFuture()).toList();
        return CompletableFuture.allOf(cards.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            long total = cards.stream().mapToLong(CompletableFuture::join).sum();
            if (total == 0) {
                return CompletableFuture.completedFuture(-1L);
            }
            List<CompletableFuture<List<String>>> samples = new ArrayList<>();
            for (int i = 0; i < namespaces.size(); i++) {
                long card = cards.get(i).join();
                long k = card == 0 ? 0 : Math.max(1, (long) Math.ceil((double) SAMPLE * card / total));
                String ns = namespaces.get(i);
                samples.add(k == 0 ? CompletableFuture.completedFuture(List.of())
                        : c.zrandmember(keys.ids(ns), k).toCompletableFuture().thenApply(members -> members
                        .stream().map(ItemCodec::text).filter(java.util.Objects::nonNull).toList()));
            }
            return CompletableFuture.allOf(samples.toArray(CompletableFuture[]::new))
                    .thenCompose(sampled -> rankAndEvict(c, namespaces, samples, excessBytes));
        });
    }

    private CompletableFuture<Long> rankAndEvict(RedisClusterAsyncCommands<byte[], byte[]> c, List<String> namespaces,
                                                 List<CompletableFuture<List<String>>> samples, long excessBytes) {
        RedisKeys keys = store.keys();
        List<CompletableFuture<Candidate>> ranked = new ArrayList<>();
        List<CompletableFuture<Long>> sizes = new ArrayList<>();
        for (int i = 0; i < namespaces.size(); i++) {
            String ns = namespaces.get(i);
            for (String id : samples.get(i).join()) {
                byte[] key = keys.item(id);
                ranked.add(coldness(c, key).thenApply(cold -> new Candidate(ns, id, cold)));
                if (sizes.size() < SIZE_PROBES) {
                    sizes.add(c.memoryUsage(key).toCompletableFuture().exceptionally(e -> null));
                }
            }
        }
        List<CompletableFuture<?>> all = new ArrayList<>(ranked);
        all.addAll(sizes);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            long probed = sizes.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull)
                    .mapToLong(Long::longValue).sum();
            long probes = sizes.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).count();
            long average = probes == 0 ? 1024 : Math.max(64, probed / probes);
            if (ranked.isEmpty()) {
                return CompletableFuture.completedFuture(-1L);
            }
            long wanted = Math.max(1, Math.min(ranked.size() / 2, (excessBytes + average - 1) / average));
            Map<String, List<String>> victims = new LinkedHashMap<>();
            ranked.stream().map(CompletableFuture::join)
                    .sorted(Comparator.comparingLong(Candidate::coldness).reversed())
                    .limit(wanted)
                    .forEach(v -> victims.computeIfAbsent(v.namespace(), k -> new ArrayList<>()).add(v.id()));
            List<CompletableFuture<Long>> removals = victims.entrySet().stream()
                    .map(e -> store.evict(e.getKey(), e.getValue())).toList();
            return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                    .thenApply(x -> removals.stream().mapToLong(CompletableFuture::join).sum());
        });
    }

    /** Idle seconds (a missing key: the coldest of all); under an LFU policy, minus the access frequency. */
    private static CompletableFuture<Long> coldness(RedisClusterAsyncCommands<byte[], byte[]> c, byte[] key) {
        return c.objectIdletime(key).toCompletableFuture()
                .thenApply(idle -> idle == null ? Long.MAX_VALUE : idle)
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause.getMessage() != null && cause.getMessage().contains("LFU")) {
                        return c.objectFreq(key).toCompletableFuture().thenApply(freq -> freq == null
                                ? Long.MAX_VALUE : -freq);
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }
}
