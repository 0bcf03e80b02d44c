package io.tiercache.engine.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tiercache.engine.redis.LuaScripts.LuaScript;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Runs scripts by EVALSHA. When a node answers NOSCRIPT (restarted, failed over to a replica that never loaded it, a
 * new cluster node, or its script cache flushed), the call is repeated once as EVAL with the whole source on the
 * direct connection. EVAL is routed by the same first key, so it reaches the node that lacked the script and leaves
 * the script cached there; a SCRIPT LOAD would go to one server or, on a cluster, to every node at once and fail
 * while any of them is down. A script that answered NOSCRIPT never ran, so repeating it is safe.
 */
final class ScriptRunner {
    private final RedisConnections connections;

    ScriptRunner(RedisConnections connections) {
        this.connections = connections;
    }

    /** Loads every script (on a cluster: on every node), so the first batches do not pay for NOSCRIPT. */
    CompletableFuture<Void> loadAll() {
        return CompletableFuture.allOf(LuaScripts.ALL.stream().map(this::load).toArray(CompletableFuture[]::new));
    }

    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<byte[], byte[]> on, LuaScript script, ScriptOutputType type,
                                 byte[][] keys, byte[]... args) {
        CompletableFuture<T> first = on.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
        return first.exceptionallyCompose(e -> isNoScript(e)
                ? connections.direct().<T>eval(ItemCodec.utf8(script.source()), type, keys, args)
                        .toCompletableFuture()
                : CompletableFuture.failedFuture(e));
    }

    private CompletableFuture<String> load(LuaScript script) {
        return connections.direct().scriptLoad(ItemCodec.utf8(script.source())).toCompletableFuture()
                .thenApply(sha -> {
                    if (!sha.equals(script.sha())) {
                        throw new IllegalStateException("Redis named script " + script.name() + " " + sha
                                + ", expected " + script.sha());
                    }
                    return sha;
                });
    }

    private static boolean isNoScript(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof RedisNoScriptException
                || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
    }
}
