package io.tiercache.engine.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The nodes that hold data: the one server, or every master of a Redis Cluster. Commands about a server rather than
 * a key (PING, INFO) answer for one node only, so what must hold for the whole deployment (health, memory) asks each.
 */
interface RedisMasters {
    /** The name of the only node of a single server. */
    String SINGLE = "server";

    /**
     * Runs {@code command} on each master, on a connection to that node; completes with every answer by node name
     * ({@code host:port} on a cluster), or fails if any node fails.
     */
    <T> CompletableFuture<Map<String, T>> onEach(
            Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> command);

    /**
     * As {@link #onEach}, leaving out the masters that fail: for what a master that is down does not need (eviction).
     * Fails only when no master answers.
     */
    <T> CompletableFuture<Map<String, T>> onEachAnswering(
            Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> command);

    /** The name of the master that serves {@code key} now (cluster topology as last refreshed). */
    String ownerOf(byte[] key);

    /** A single server: every key is on it. */
    static RedisMasters single(RedisClusterAsyncCommands<byte[], byte[]> commands) {
        return new RedisMasters() {
            @Override
            public <T> CompletableFuture<Map<String, T>> onEach(
                    Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> command) {
                return command.apply(commands).toCompletableFuture().thenApply(answer -> Map.of(SINGLE, answer));
            }

            @Override
            public <T> CompletableFuture<Map<String, T>> onEachAnswering(
                    Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> command) {
                return onEach(command);
            }

            @Override
            public String ownerOf(byte[] key) {
                return SINGLE;
            }
        };
    }
}
