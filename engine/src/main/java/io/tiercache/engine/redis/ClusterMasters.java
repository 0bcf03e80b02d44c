package io.tiercache.engine.redis;

import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The masters of a Redis Cluster as Lettuce last saw the topology. A master that is down (or marked failed) is still
 * asked: its slots are unserved until a replica takes over or it comes back, and saying so is the point of asking.
 */
final class ClusterMasters implements RedisMasters {
    private final StatefulRedisClusterConnection<byte[], byte[]> connection;

    ClusterMasters(StatefulRedisClusterConnection<byte[], byte[]> connection) {
        this.connection = connection;
    }

    @Override
    public <T> CompletableFuture<Map<String, T>> onEach(
            Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> command) {
        return ask(command, false);
    }

    @Override
    public <T> CompletableFuture<Map<String, T>> onEachAnswering(
            Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> command) {
        return ask(command, true);
    }

    private <T> CompletableFuture<Map<String, T>> ask(
            Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> command,
            boolean skipFailures) {
        List<String> names = new ArrayList<>();
        List<CompletableFuture<T>> answers = new ArrayList<>();
        for (RedisClusterNode node : connection.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                names.add(name(node));
                answers.add(connection.getConnectionAsync(node.getNodeId())
                        .thenCompose(nodeConnection -> command.apply(nodeConnection.async())));
            }
        }
        if (answers.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the cluster topology has no master"));
        }
        CompletableFuture<?>[] settled = answers.stream()
                .map(answer -> skipFailures ? answer.exceptionally(e -> null) : answer)
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(settled).thenApply(done -> {
            Map<String, T> out = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                if (!answers.get(i).isCompletedExceptionally()) {
                    out.put(names.get(i), answers.get(i).join());
                }
            }
            if (out.isEmpty()) {
                answers.get(0).join(); // none answered: fail as the first one did
            }
            return out;
        });
    }

    @Override
    public String ownerOf(byte[] key) {
        RedisClusterNode owner = connection.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
        return owner == null ? "unassigned" : name(owner);
    }

    private static String name(RedisClusterNode node) {
        return node.getUri().getHost() + ":" + node.getUri().getPort();
    }
}
