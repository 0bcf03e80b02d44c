package io.tiercache.engine.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.internal.IdOrder;
import io.tiercache.engine.tier.CoordinatingTier;
import io.tiercache.engine.tier.TierWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tiercache.engine.merkle.ItemDigest;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerklePath;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The Redis tier's one data path, asynchronous: every operation returns a future and never blocks. {@link RedisTier}
 * derives the blocking {@code ItemTier} from it by waiting with a deadline.
 */
final class RedisItemStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisItemStore.class);
    /** Index members one script call examines at most, so no call holds Redis for long. */
    private static final int SCAN_BUDGET = 2_000;

    private final RedisConnections connections;
    private final RedisKeys keys;
    private final ScriptRunner scripts;
    private final boolean merkle;

    RedisItemStore(RedisConnections connections, RedisKeys keys, boolean merkle) {
        this.connections = connections;
        this.keys = keys;
        this.scripts = new ScriptRunner(connections);
        this.merkle = merkle;
    }

    /** Whether writes keep the namespaces' merkle trees (see {@link RedisMerkleLua}). */
    boolean merkle() {
        return merkle;
    }

    RedisConnections connections() {
        return connections;
    }

    RedisKeys keys() {
        return keys;
    }

    ScriptRunner scripts() {
        return scripts;
    }

    CompletableFuture<Optional<SyncItem>> get(String id) {
        return connections.direct().hgetall(keys.item(id)).toCompletableFuture()
                .handle((fields, error) -> Optional.ofNullable(read(id, fields, error)));
    }

    /** One pipeline of HGETALLs. */
    CompletableFuture<Map<String, SyncItem>> getMany(Collection<String> ids) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        if (distinct.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        List<CompletableFuture<SyncItem>> reads = connections.pipelined(c -> distinct.stream()
                .map(id -> c.hgetall(keys.item(id)).toCompletableFuture()
                        .handle((fields, error) -> read(id, fields, error)))
                .toList());
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, SyncItem> found = new LinkedHashMap<>();
            for (int i = 0; i < distinct.size(); i++) {
                SyncItem item = reads.get(i).join();
                if (item != null) {
                    found.put(distinct.get(i), item);
                }
            }
            return found;
        });
    }

    /** A HGETALL answer as an item: null if absent, corrupt if the key holds another type or bad fields. */
    private static SyncItem read(String id, Map<byte[], byte[]> fields, Throwable error) {
        if (error == null) {
            return ItemCodec.decode(id, fields);
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause.getMessage() != null && cause.getMessage().startsWith("WRONGTYPE")) {
            LOG.warn("key of item '{}' holds another Redis type; reading it as corrupt", id);
            return ItemCodec.wrongType(id);
        }
        throw error instanceof CompletionException ce ? ce : new CompletionException(error);
    }

    /** One pipeline: namespace registrations, then one version-guarded script call per write. */
    CompletableFuture<Void> apply(List<? extends TierWrite> writes, long engineNow) {
        return apply(writes, engineNow, true);
    }

    /** As {@link #apply(List, long)}; with {@code inTree} false the items stay out of the merkle trees. */
    CompletableFuture<Void> apply(List<? extends TierWrite> writes, long engineNow, boolean inTree) {
        if (writes.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Set<String> namespaces = new LinkedHashSet<>();
        for (TierWrite write : writes) {
            String namespace = RedisKeys.namespaceOf(write.id());
            if (write instanceof TierWrite.Upsert && !namespace.isEmpty()) {
                namespaces.add(namespace);
            }
        }
        List<CompletableFuture<?>> sent = connections.pipelined(c -> {
            List<CompletableFuture<?>> out = new ArrayList<>(writes.size() + namespaces.size());
            for (String namespace : namespaces) {
                out.add(c.zadd(keys.namespaces(), 0, ItemCodec.utf8(namespace)).toCompletableFuture());
            }
            for (TierWrite write : writes) {
                out.add(send(c, write, engineNow, inTree));
            }
            return out;
        });
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Long> send(RedisClusterAsyncCommands<byte[], byte[]> c, TierWrite write, long now,
                                         boolean inTree) {
        String namespace = RedisKeys.namespaceOf(write.id());
        byte[] base = ItemCodec.utf8(keys.base(namespace));
        byte[] leaf = merkle ? ItemCodec.utf8(MerklePath.bucketOf(write.id()).hex()) : new byte[0];
        if (write instanceof TierWrite.Upsert upsert) {
            SyncItem item = upsert.item();
            byte[][] args = Arrays.copyOf(ItemCodec.upsertArgs(base, item, now), 12);
            args[10] = leaf;
            args[11] = merkle && inTree ? ItemCodec.utf8(ItemDigest.of(item.id(), ItemState.of(item)).toHex())
                    : new byte[0];
            return scripts.run(c, LuaScripts.UPSERT, ScriptOutputType.INTEGER,
                    new byte[][]{keys.item(item.id()), keys.ids(namespace), keys.expiries(namespace),
                        keys.state(namespace, item.state())}, args);
        }
        return scripts.run(c, LuaScripts.DELETE, ScriptOutputType.INTEGER, new byte[][]{keys.item(write.id())},
                base, ItemCodec.utf8(write.id()), ItemCodec.utf8(Long.toString(write.version())), leaf);
    }

    /** The id's compare-and-set token and stored item, read in one script call (see {@link LuaScripts#PEEK}). */
    CompletableFuture<CoordinatingTier.Snapshot> readForUpdate(String id) {
        byte[] base = ItemCodec.utf8(keys.base(RedisKeys.namespaceOf(id)));
        CompletableFuture<List<Object>> reply = scripts.run(connections.direct(), LuaScripts.PEEK,
                ScriptOutputType.MULTI, new byte[][]{keys.item(id)}, base, ItemCodec.utf8(id));
        return reply.thenApply(fields -> {
            CoordinatingTier.Token token = CasTokens.parse(id, (byte[]) fields.get(0));
            if (token.kind() != CoordinatingTier.Token.Kind.ITEM) {
                return new CoordinatingTier.Snapshot(token, Optional.empty());
            }
            Map<byte[], byte[]> hash = new LinkedHashMap<>();
            for (int i = 1; i + 1 < fields.size(); i += 2) {
                hash.put((byte[]) fields.get(i), (byte[]) fields.get(i + 1));
            }
            return new CoordinatingTier.Snapshot(token, Optional.ofNullable(ItemCodec.decode(id, hash)));
        });
    }

    /** One {@link LuaScripts#COMPARE_AND_SET} call; true if Redis still held {@code expected} and took the write. */
    CompletableFuture<Boolean> compareAndSet(CoordinatingTier.Token expected, TierWrite write, long tombstoneMs,
                                             long engineNow) {
        String namespace = RedisKeys.namespaceOf(write.id());
        byte[] base = ItemCodec.utf8(keys.base(namespace));
        byte[][] head = {CasTokens.format(expected), ItemCodec.utf8(write instanceof TierWrite.Upsert ? "put" : "delete"),
            num(tombstoneMs)};
        byte[][] body;
        String state;
        // The coordinated write is on its way to L3 (the write-behind queue holds it), so the tree counts it now.
        byte[] leaf = merkle ? ItemCodec.utf8(MerklePath.bucketOf(write.id()).hex()) : new byte[0];
        if (write instanceof TierWrite.Upsert upsert) {
            SyncItem item = upsert.item();
            body = Arrays.copyOf(ItemCodec.upsertArgs(base, item, engineNow), 12);
            body[10] = leaf;
            body[11] = merkle ? ItemCodec.utf8(ItemDigest.of(item.id(), ItemState.of(item)).toHex()) : new byte[0];
            state = item.state();
        } else {
            body = new byte[][]{base, ItemCodec.utf8(write.id()), num(write.version()), leaf};
            state = SyncItem.DEFAULT_STATE;
        }
        byte[][] args = new byte[head.length + body.length][];
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(body, 0, args, head.length, body.length);
        if (write instanceof TierWrite.Upsert) {
            registerNamespace(namespace);
        }
        CompletableFuture<Long> applied = scripts.run(connections.direct(), LuaScripts.COMPARE_AND_SET,
                ScriptOutputType.INTEGER, new byte[][]{keys.item(write.id()), keys.ids(namespace),
                    keys.expiries(namespace), keys.state(namespace, state)}, args);
        return applied.thenApply(result -> result == 1L);
    }

    private void registerNamespace(String namespace) {
        if (!namespace.isEmpty()) {
            connections.direct().zadd(keys.namespaces(), 0, ItemCodec.utf8(namespace));
        }
    }

    /** The first {@code limit} live ids matching {@code query} after {@code afterId}, in id order. */
    CompletableFuture<List<String>> ids(NamespaceQuery query, String afterId, int limit, long now) {
        if (limit <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        byte[] min = query.min(afterId);
        return namespaces(query).thenCompose(namespaces -> {
            List<CompletableFuture<List<String>>> pages = connections.pipelined(c -> namespaces.stream()
                    .map(ns -> page(c, query, ns, min, limit, now, new ArrayList<>())).toList());
            return CompletableFuture.allOf(pages.toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<String> merged = new ArrayList<>();
                pages.forEach(page -> merged.addAll(page.join()));
                merged.sort(IdOrder.COMPARATOR);
                return List.copyOf(merged.subList(0, Math.min(limit, merged.size())));
            });
        });
    }

    private CompletableFuture<List<String>> page(RedisClusterAsyncCommands<byte[], byte[]> c, NamespaceQuery query,
                                                 String namespace, byte[] min, int limit, long now,
                                                 List<String> acc) {
        int want = limit - acc.size();
        CompletableFuture<List<Object>> call = scripts.run(c, LuaScripts.SCAN, ScriptOutputType.MULTI,
                new byte[][]{query.index(keys, namespace), keys.expiries(namespace)},
                keys.itemBase(namespace), min, query.max(), num(want), num(now), ItemCodec.utf8("ids"),
                num(Math.max(SCAN_BUDGET, want)));
        return call.thenCompose(reply -> {
            byte[] next = (byte[]) reply.get(0);
            for (Object member : reply.subList(1, reply.size())) {
                String id = ItemCodec.idOrNull((byte[]) member);
                if (id == null) {
                    LOG.warn("skipping an index member of namespace '{}' that is not a valid id", namespace);
                } else {
                    acc.add(id);
                }
            }
            if (acc.size() >= limit || next.length == 0) {
                return CompletableFuture.completedFuture(acc);
            }
            return page(connections.direct(), query, namespace, next, limit, now, acc);
        });
    }

    /** Live ids matching {@code query}, counted by the server in bounded steps. */
    CompletableFuture<Long> count(NamespaceQuery query, long now) {
        return namespaces(query).thenCompose(namespaces -> sum(namespaces,
                (c, ns) -> countFrom(c, query, ns, query.min(null), now, 0)));
    }

    private CompletableFuture<Long> countFrom(RedisClusterAsyncCommands<byte[], byte[]> c, NamespaceQuery query,
                                              String namespace, byte[] min, long now, long counted) {
        CompletableFuture<List<Object>> call = scripts.run(c, LuaScripts.SCAN, ScriptOutputType.MULTI,
                new byte[][]{query.index(keys, namespace), keys.expiries(namespace)},
                keys.itemBase(namespace), min, query.max(), num(0), num(now), ItemCodec.utf8("count"),
                num(SCAN_BUDGET));
        return call.thenCompose(reply -> {
            byte[] next = (byte[]) reply.get(0);
            long total = counted + (Long) reply.get(1);
            return next.length == 0 ? CompletableFuture.completedFuture(total)
                    : countFrom(connections.direct(), query, namespace, next, now, total);
        });
    }

    /**
     * Removes items whose expiry is at or before {@code now}; counts those that Redis had not yet dropped, and adds
     * the ids it took out (whose merkle leaves moved) to {@code purgedIds}.
     */
    CompletableFuture<Long> purgeExpired(long now, Collection<String> purgedIds) {
        return namespaces(NamespaceQuery.byPrefix("")).thenCompose(namespaces -> sum(namespaces,
                (c, ns) -> purgeFrom(c, ns, now, 0, purgedIds)));
    }

    private CompletableFuture<Long> purgeFrom(RedisClusterAsyncCommands<byte[], byte[]> c, String namespace, long now,
                                              long purged, Collection<String> purgedIds) {
        CompletableFuture<List<Object>> call = scripts.run(c, LuaScripts.PURGE, ScriptOutputType.MULTI,
                new byte[][]{keys.expiries(namespace), keys.ids(namespace)},
                ItemCodec.utf8(keys.base(namespace)), num(now), num(SCAN_BUDGET));
        return call.thenCompose(reply -> {
            long total = purged + (Long) reply.get(0);
            for (Object member : reply.subList(2, reply.size())) {
                String id = ItemCodec.idOrNull((byte[]) member);
                if (id != null) {
                    synchronized (purgedIds) {
                        purgedIds.add(id);
                    }
                }
            }
            return (Long) reply.get(1) < SCAN_BUDGET ? CompletableFuture.completedFuture(total)
                    : purgeFrom(connections.direct(), namespace, now, total, purgedIds);
        });
    }

    /** Index entries of this prefix, expired ones included (a statistic: one ZCARD per namespace). */
    CompletableFuture<Long> size() {
        return namespaces(NamespaceQuery.byPrefix("")).thenCompose(namespaces -> sum(namespaces,
                (c, ns) -> c.zcard(keys.ids(ns)).toCompletableFuture()));
    }

    /** {@link #evict} over any ids, one script call per namespace, in one pipeline. */
    CompletableFuture<Long> invalidate(Collection<String> ids) {
        Map<String, List<String>> byNamespace = new LinkedHashMap<>();
        for (String id : new LinkedHashSet<>(ids)) {
            byNamespace.computeIfAbsent(RedisKeys.namespaceOf(id), ns -> new ArrayList<>()).add(id);
        }
        List<CompletableFuture<Long>> parts = connections.pipelined(c -> byNamespace.entrySet().stream()
                .map(e -> evict(c, e.getKey(), e.getValue())).toList());
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> parts.stream().mapToLong(CompletableFuture::join).sum());
    }

    /** Removes items whatever their version (eviction), with their index entries; how many existed. */
    CompletableFuture<Long> evict(String namespace, Collection<String> ids) {
        return evict(connections.direct(), namespace, ids);
    }

    private CompletableFuture<Long> evict(RedisClusterAsyncCommands<byte[], byte[]> c, String namespace,
                                          Collection<String> ids) {
        byte[][] args = new byte[ids.size() + 1][];
        args[0] = ItemCodec.utf8(keys.base(namespace));
        int i = 1;
        for (String id : ids) {
            args[i++] = ItemCodec.utf8(id);
        }
        return scripts.run(c, LuaScripts.EVICT, ScriptOutputType.INTEGER,
                new byte[][]{keys.ids(namespace)}, args);
    }

    /** The namespaces that may hold matches: the root namespace and the registered ones the query reaches. */
    CompletableFuture<List<String>> namespaces(NamespaceQuery query) {
        if (query.singleNamespace()) {
            return CompletableFuture.completedFuture(List.of(RedisKeys.namespaceOf(query.prefix())));
        }
        return connections.direct().zrange(keys.namespaces(), 0, -1).toCompletableFuture().thenApply(members -> {
            List<String> out = new ArrayList<>();
            out.add("");
            for (byte[] member : members) {
                String namespace = ItemCodec.text(member);
                if (namespace != null && namespace.endsWith("/") && query.mayMatch(namespace)) {
                    out.add(namespace);
                }
            }
            return out;
        });
    }

    private CompletableFuture<Long> sum(List<String> namespaces,
                                        java.util.function.BiFunction<RedisClusterAsyncCommands<byte[], byte[]>,
                                                String, CompletableFuture<Long>> perNamespace) {
        List<CompletableFuture<Long>> parts = connections.pipelined(c -> namespaces.stream()
                .map(ns -> perNamespace.apply(c, ns)).toList());
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> parts.stream().mapToLong(CompletableFuture::join).sum());
    }

    /** PONG from every master: on a cluster, a master that does not answer leaves its slots unserved. */
    CompletableFuture<String> ping() {
        return connections.masters().onEach(c -> c.ping()).thenApply(answers -> String.join(",", answers.values()));
    }

    RedisMasters masters() {
        return connections.masters();
    }

    <T> CompletableFuture<T> withDirect(Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletableFuture<T>> f) {
        return f.apply(connections.direct());
    }

    private static byte[] num(long n) {
        return ItemCodec.utf8(Long.toString(n));
    }
}
