package io.tiercache.engine.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tiercache.engine.redis.LuaScripts.LuaScript;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Runs scripts by EVALSHA. When Redis answers NOSCRIPT (restarted, failed over, or its script cache flushed), the
 * script is loaded once with SCRIPT LOAD and the call repeated on the direct connection; a script that never ran can
 * be repeated safely.
 */
final class ScriptRunner {
    private final RedisConnections connections;
    private final Map<String, CompletableFuture<String>> loading = new HashMap<>();

    ScriptRunner(RedisConnections connections) {
        this.connections = connections;
    }

    /** Loads every script, so the first batches do not pay for NOSCRIPT. */
    CompletableFuture<Void> loadAll() {
        return CompletableFuture.allOf(LuaScripts.ALL.stream().map(this::load).toArray(CompletableFuture[]::new));
    }

    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<byte[], byte[]> on, LuaScript script, ScriptOutputType type,
                                 byte[][] keys, byte[]... args) {
        CompletableFuture<T> first = on.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
        return first.exceptionallyCompose(e -> isNoScript(e)
                ? load(script).thenCompose(sha -> connections.direct().<T>evalsha(sha, type, keys, args))
                : CompletableFuture.failedFuture(e));
    }

    private synchronized CompletableFuture<String> load(LuaScript script) {
        CompletableFuture<String> pending = loading.get(script.name());
        if (pending == null || pending.isDone()) {
            pending = connections.direct().scriptLoad(ItemCodec.utf8(script.source())).toCompletableFuture()
                    .thenApply(sha -> {
                        if (!sha.equals(script.sha())) {
                            throw new IllegalStateException("Redis named script " + script.name() + " " + sha
                                    + ", expected " + script.sha());
                        }
                        return sha;
                    });
            loading.put(script.name(), pending);
        }
        return pending;
    }

    private static boolean isNoScript(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof RedisNoScriptException
                || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
    }
}
