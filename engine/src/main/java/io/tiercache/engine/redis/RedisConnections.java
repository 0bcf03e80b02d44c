package io.tiercache.engine.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Lettuce client of one Redis tier and its connections, for a single server or a Redis Cluster; everything above
 * it issues the same async commands either way ({@link RedisClusterAsyncCommands} is what both connections speak).
 * {@code direct} sends each command as it is issued; {@code pipeline} is a second connection for batches, so a batch
 * never waits behind a blocking stream read on {@code direct}. On a single server the pipeline connection never
 * flushes on its own, so a batch is queued whole and leaves in one write (one round trip).
 *
 * <p>On a cluster, Lettuce routes each keyed command to the master of its slot and follows MOVED/ASK, so a batch over
 * many namespaces is split per node by the client. Its commands still go out without waiting for each other's
 * answers, but the pipeline flushes each as issued: with manual flushing Lettuce leaves a command that was
 * redirected, or that waited for a new node connection, in an unflushed buffer until the next flush (Lettuce issues
 * 1065, 2420), which would stall writes during exactly the failovers and reshardings a cluster exists for. The
 * topology is refreshed every {@value #TOPOLOGY_REFRESH_SECONDS} s and on every adaptive trigger (MOVED, ASK,
 * persistent reconnects, unknown nodes), so failovers and resharding are followed.
 *
 * <p>The client owns its event loops and timers and shuts them down on {@link #close()}.
 */
final class RedisConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);
    private static final long SHUTDOWN_TIMEOUT_MS = 2_000;
    static final long TOPOLOGY_REFRESH_SECONDS = 30;
    /** Adaptive refreshes at most this often, so a burst of redirects costs one topology read. */
    private static final Duration ADAPTIVE_REFRESH_SPACING = Duration.ofSeconds(2);

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final String description;
    private final Connection direct;
    private final Connection pipeline;
    private final boolean cluster;
    private final RedisMasters masters;
    private final ReentrantLock pipelineLock = new ReentrantLock();

    /** A connection and its async commands (the two kinds of Lettuce connection share no interface for them). */
    private record Connection(StatefulConnection<byte[], byte[]> stateful,
                              RedisClusterAsyncCommands<byte[], byte[]> commands) {
        static Connection of(StatefulRedisConnection<byte[], byte[]> connection) {
            return new Connection(connection, connection.async());
        }

        static Connection of(StatefulRedisClusterConnection<byte[], byte[]> connection) {
            return new Connection(connection, connection.async());
        }
    }

    private RedisConnections(ClientResources resources, AbstractRedisClient client, String description,
                             Connection direct, Connection pipeline, boolean cluster, RedisMasters masters) {
        this.resources = resources;
        this.client = client;
        this.description = description;
        this.direct = direct;
        this.pipeline = pipeline;
        this.cluster = cluster;
        this.masters = masters;
    }

    /**
     * Connects to {@code url} (one of {@link RedisUrl#FORMS}; user and password in the URL). A malformed or
     * unsupported URL is an {@link IllegalArgumentException}; a server or cluster that does not answer within
     * {@code connectTimeoutMs} is a {@link io.lettuce.core.RedisException}.
     */
    static RedisConnections open(String url, long connectTimeoutMs, long responseTimeoutMs,
                                 Consumer<ClientResources.Builder> customizer) {
        RedisUrl target = RedisUrl.parse(url);
        target.nodes().forEach(uri -> uri.setTimeout(Duration.ofMillis(responseTimeoutMs)));
        ClientResources.Builder builder = DefaultClientResources.builder().ioThreadPoolSize(2)
                .computationThreadPoolSize(2);
        customizer.accept(builder);
        ClientResources resources = builder.build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(Duration.ofMillis(connectTimeoutMs)).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(Duration.ofMillis(responseTimeoutMs));
        return target.cluster() ? openCluster(target, resources, socket, timeouts)
                : openStandalone(target, resources, socket, timeouts);
    }

    private static RedisConnections openStandalone(RedisUrl target, ClientResources resources, SocketOptions socket,
                                                   TimeoutOptions timeouts) {
        RedisURI uri = target.nodes().get(0);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        StatefulRedisConnection<byte[], byte[]> direct = null;
        try {
            direct = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisConnection<byte[], byte[]> pipeline = client.connect(ByteArrayCodec.INSTANCE);
            pipeline.setAutoFlushCommands(false);
            return new RedisConnections(resources, client, target.description(), Connection.of(direct),
                    Connection.of(pipeline), false, RedisMasters.single(direct.async()));
        } catch (RuntimeException e) {
            if (direct != null) {
                direct.closeAsync();
            }
            shutdown(client, resources);
            throw e;
        }
    }

    private static RedisConnections openCluster(RedisUrl target, ClientResources resources, SocketOptions socket,
                                                TimeoutOptions timeouts) {
        RedisClusterClient client = RedisClusterClient.create(resources, target.nodes());
        client.setOptions(ClusterClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(TOPOLOGY_REFRESH_SECONDS))
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_SPACING)
                        .build())
                .build());
        try {
            StatefulRedisClusterConnection<byte[], byte[]> direct = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisClusterConnection<byte[], byte[]> pipeline = client.connect(ByteArrayCodec.INSTANCE);
            return new RedisConnections(resources, client, target.description(), Connection.of(direct),
                    Connection.of(pipeline), true, new ClusterMasters(direct));
        } catch (RuntimeException e) {
            shutdown(client, resources);
            throw e;
        }
    }

    String description() {
        return description;
    }

    /** Whether this is a Redis Cluster (several masters, each serving part of the keys). */
    boolean cluster() {
        return cluster;
    }

    /** Commands sent as they are issued (on a cluster: to the master of each command's key). */
    RedisClusterAsyncCommands<byte[], byte[]> direct() {
        return direct.commands();
    }

    /** The server, or each master of the cluster: for what a cluster answers per node (PING, INFO). */
    RedisMasters masters() {
        return masters;
    }

    /**
     * Issues a batch on the pipeline connection. On a single server it is queued and sent in one flush; callers hold
     * the lock only while queueing, so concurrent batches never split each other. On a cluster the commands go out
     * as issued (see the class comment).
     */
    <T> T pipelined(Function<RedisClusterAsyncCommands<byte[], byte[]>, T> commands) {
        if (cluster) {
            return commands.apply(pipeline.commands());
        }
        pipelineLock.lock();
        try {
            return commands.apply(pipeline.commands());
        } finally {
            pipeline.stateful().flushCommands();
            pipelineLock.unlock();
        }
    }

    @Override
    public void close() {
        // A single server's client closes the connections it made; closing them here as well made Lettuce log
        // "Connection is already closed" once per connection on every engine shutdown. A cluster client is the
        // other way round: its shutdown closes each node connection twice (once through the cluster connection
        // that pools it) unless the cluster connections were closed first.
        if (cluster) {
            closeQuietly(pipeline);
            closeQuietly(direct);
        }
        shutdown(client, resources);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.stateful().close();
        } catch (RuntimeException e) {
            LOG.debug("closing a Redis Cluster connection failed: {}", e.toString());
        }
    }

    private static void shutdown(AbstractRedisClient client, ClientResources resources) {
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
