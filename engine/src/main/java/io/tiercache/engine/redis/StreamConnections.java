package io.tiercache.engine.redis;

import io.lettuce.core.RedisException;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.Tier;
import io.tiercache.engine.tier.TierAccessException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the change and CDC streams share: connections of their own (a blocking stream read must not hold up the
 * tier's commands) and waiting for a command within a deadline, every failure a {@link TierAccessException}.
 */
final class StreamConnections {

    private StreamConnections() {
    }

    static RedisConnections open(SyncEngineConfig config, String stream) throws TierAccessException {
        try {
            return RedisConnections.open(config.redisUrl(), config.redisTimeoutMs(), config.redisResponseTimeoutMs(),
                    resources -> {
                    });
        } catch (RedisException e) {
            throw new TierAccessException(Tier.L2, "cannot connect the " + stream + ": " + e.getMessage(), e);
        }
    }

    static <T> T await(CompletionStage<T> stage, long timeoutMs, String stream, String what)
            throws TierAccessException {
        CompletableFuture<T> future = stage.toCompletableFuture();
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new TierAccessException(Tier.L2, "the " + stream + " did not finish " + what + " within "
                    + timeoutMs + " ms", e);
        } catch (ExecutionException e) {
            throw new TierAccessException(Tier.L2, "the " + stream + " failed " + what + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TierAccessException(Tier.L2, "interrupted while " + what, e);
        }
    }
}
