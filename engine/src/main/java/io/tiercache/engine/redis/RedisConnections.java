package io.tiercache.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Lettuce client of one Redis tier and its two connections: {@code direct} sends each command as it is issued;
 * {@code pipeline} never flushes on its own, so a batch is queued whole and leaves in one write (one round trip).
 * The client owns its event loops and timers and shuts them down on {@link #close()}.
 */
final class RedisConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);
    private static final long SHUTDOWN_TIMEOUT_MS = 2_000;

    private final ClientResources resources;
    private final RedisClient client;
    private final String description;
    private final StatefulRedisConnection<byte[], byte[]> direct;
    private final StatefulRedisConnection<byte[], byte[]> pipeline;
    private final ReentrantLock pipelineLock = new ReentrantLock();

    private RedisConnections(ClientResources resources, RedisClient client, String description,
                             StatefulRedisConnection<byte[], byte[]> direct,
                             StatefulRedisConnection<byte[], byte[]> pipeline) {
        this.resources = resources;
        this.client = client;
        this.description = description;
        this.direct = direct;
        this.pipeline = pipeline;
    }

    /**
     * Connects to {@code url} ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}; user and password in
     * the URL). A malformed or unsupported URL is an {@link IllegalArgumentException}; a server that does not answer
     * within {@code connectTimeoutMs} is a {@link io.lettuce.core.RedisException}.
     */
    static RedisConnections open(String url, long connectTimeoutMs, long responseTimeoutMs,
                                 Consumer<ClientResources.Builder> customizer) {
        RedisURI uri = parse(url);
        uri.setTimeout(Duration.ofMillis(responseTimeoutMs));
        ClientResources.Builder builder = DefaultClientResources.builder().ioThreadPoolSize(2)
                .computationThreadPoolSize(2);
        customizer.accept(builder);
        ClientResources resources = builder.build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(connectTimeoutMs)).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(responseTimeoutMs)))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        StatefulRedisConnection<byte[], byte[]> direct = null;
        try {
            direct = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisConnection<byte[], byte[]> pipeline = client.connect(ByteArrayCodec.INSTANCE);
            pipeline.setAutoFlushCommands(false);
            return new RedisConnections(resources, client, describe(uri), direct, pipeline);
        } catch (RuntimeException e) {
            if (direct != null) {
                direct.closeAsync();
            }
            shutdown(client, resources);
            throw e;
        }
    }

    private static RedisURI parse(String url) {
        if (url == null) {
            throw new IllegalArgumentException("redisUrl is not set: the Redis tier needs redis://host:port, "
                    + "rediss://host:port (TLS) or redis-sentinel://host:port/#master");
        }
        String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT) : "";
        if (!scheme.equals("redis") && !scheme.equals("rediss") && !scheme.equals("redis-sentinel")) {
            throw new IllegalArgumentException("redisUrl scheme '" + scheme + "' is not supported: use "
                    + "redis://[user:password@]host:port[/db], rediss://... (TLS) or "
                    + "redis-sentinel://[password@]host:port[,host:port]/[db]#master; "
                    + "Redis Cluster is not supported yet");
        }
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("redisUrl is malformed: " + e.getMessage(), e);
        }
    }

    /** The URL without credentials. */
    private static String describe(RedisURI uri) {
        if (!uri.getSentinels().isEmpty()) {
            return "redis-sentinel://" + uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort())
                    .collect(Collectors.joining(",")) + "/" + uri.getDatabase() + "#" + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
    }

    String description() {
        return description;
    }

    /** Commands sent as they are issued. */
    RedisClusterAsyncCommands<byte[], byte[]> direct() {
        return direct.async();
    }

    /**
     * Queues what {@code commands} issues on the pipeline connection and sends it in one flush. Callers hold the lock
     * only while queueing, so concurrent batches never split each other.
     */
    <T> T pipelined(Function<RedisClusterAsyncCommands<byte[], byte[]>, T> commands) {
        pipelineLock.lock();
        try {
            return commands.apply(pipeline.async());
        } finally {
            pipeline.flushCommands();
            pipelineLock.unlock();
        }
    }

    @Override
    public void close() {
        // The client closes the connections it made; closing them here as well made Lettuce log
        // "Connection is already closed" once per connection on every engine shutdown.
        shutdown(client, resources);
    }

    private static void shutdown(RedisClient client, ClientResources resources) {
        try {
            client.shutdown(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.warn("shutting down the Redis client failed: {}", e.toString());
        }
        try {
            resources.shutdown(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .await(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
