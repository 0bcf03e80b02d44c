package io.tiercache.engine.chaos;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A Redis Cluster of the test's own: three masters, no replicas, each a {@link PrivateRedis} on a free loopback port
 * (its bus on port + 10000) with its node file in its own temporary folder, joined by {@code redis-cli --cluster
 * create}. A node killed with {@link #kill9} comes back by {@link #restart} with the same identity and slots (its
 * node file survives), empty. Closing kills exactly these processes. The machine's shared Redis is never touched.
 *
 * <p>Surviving masters keep serving their slots while one is down ({@code cluster-require-full-coverage no}), as a
 * production cluster with replicas would for most of the keyspace; the node timeout is short so the cluster notices
 * a death, and a return, within seconds.
 */
public final class PrivateRedisCluster implements AutoCloseable {
    public static final int MASTERS = 3;
    private static final int BUS_PORT_OFFSET = 10_000;
    private static final long READY_TIMEOUT_MS = 30_000;

    private final List<PrivateRedis> nodes;
    private final ClusterSecurity security;
    /** Shared by the short-lived clients that poll the nodes, so a poll does not start event loops of its own. */
    private final ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(1)
            .computationThreadPoolSize(1).build();

    private PrivateRedisCluster(List<PrivateRedis> nodes, ClusterSecurity security) {
        this.nodes = nodes;
        this.security = security;
    }

    /** Starts the three nodes, joins them and waits until every node reports {@code cluster_state:ok}. */
    public static PrivateRedisCluster start() throws Exception {
        return start(ClusterSecurity.NONE);
    }

    /** As {@link #start()}, every node requiring {@code password} (AUTH) from clients and from each other. */
    public static PrivateRedisCluster startWithPassword(String password) throws Exception {
        return start(new ClusterSecurity(password, null, null));
    }

    /**
     * As {@link #start()}, every node speaking only TLS with this PEM certificate and key (also its own CA), on its
     * client port and on the cluster bus; clients need no certificate of their own.
     */
    public static PrivateRedisCluster startWithTls(Path cert, Path key) throws Exception {
        return start(new ClusterSecurity(null, cert.toAbsolutePath(), key.toAbsolutePath()));
    }

    private static PrivateRedisCluster start(ClusterSecurity security) throws Exception {
        List<PrivateRedis> nodes = new ArrayList<>();
        PrivateRedisCluster cluster = new PrivateRedisCluster(nodes, security);
        try {
            Set<Integer> taken = new HashSet<>();
            for (int i = 0; i < MASTERS; i++) {
                nodes.add(startNode(security, taken));
            }
            cluster.create();
            cluster.awaitOk();
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /** One node on a free port; another process may take the port first on a busy machine, then a next one. */
    private static PrivateRedis startNode(ClusterSecurity security, Set<Integer> taken)
            throws IOException, InterruptedException {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePortWithBus(taken);
            List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", "2000",
                    "--cluster-require-full-coverage", "no"));
            args.addAll(security.serverArgs(port));
            try {
                return PrivateRedis.startOn(port, args.toArray(new String[0]));
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    private void create() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PrivateMariaDb.executable("redis-cli")));
        command.addAll(security.cliArgs());
        command.addAll(List.of("--cluster", "create"));
        nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Path log = Files.createTempFile("tiercache-cluster-create", ".log");
        try {
            Process create = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            if (!create.waitFor(30, TimeUnit.SECONDS)) {
                create.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create did not finish within 30 s");
            }
            if (create.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * {@code redis-cluster://} with every node as a seed and the password, if the nodes require one; over TLS
     * {@code rediss-cluster://}, trusting the test's self-signed certificate.
     */
    public String url() {
        return security.url("redis-cluster", "rediss-cluster", seeds());
    }

    /** {@code 127.0.0.1:<port>,...}: every node, for URLs a test writes itself. */
    public String seeds() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    /** The node's own {@code redis://} URL, for looking at what that node alone holds. */
    public String nodeUrl(int node) {
        return security.url("redis", "rediss", "127.0.0.1:" + nodes.get(node).port());
    }

    public int port(int node) {
        return nodes.get(node).port();
    }

    /** Where the slots are, and moving one as resharding does. */
    public ClusterSlots slots() {
        return new ClusterSlots(this);
    }

    int size() {
        return nodes.size();
    }

    String password() {
        return security.password();
    }

    /** Runs {@code what} on one node alone, through a plain connection to it. */
    <T> T onNode(int node, Function<RedisCommands<String, String>, T> what) {
        RedisClient client = RedisClient.create(resources, nodeUrl(node));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return what.apply(connection.sync());
        } finally {
            client.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    /** SIGKILL of one master: its slots go unserved until {@link #restart}. */
    public void kill9(int node) throws InterruptedException {
        nodes.get(node).kill9();
    }

    /** Starts a killed node again (same port, node file and slots, no data) and waits for {@code cluster_state:ok}. */
    public void restart(int node) throws Exception {
        nodes.get(node).restart();
        awaitOk();
    }

    /** Waits until every node says {@code cluster_state:ok} and knows all {@value #MASTERS} masters as connected. */
    public void awaitOk() throws InterruptedException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        List<String> views = List.of();
        while (System.currentTimeMillis() < deadline) {
            views = IntStream.range(0, nodes.size()).mapToObj(this::view).toList();
            if (views.stream().allMatch(PrivateRedisCluster::healthy)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the private cluster was not ok within " + READY_TIMEOUT_MS + " ms: "
                + String.join(" | ", views));
    }

    /** CLUSTER INFO and CLUSTER NODES of one node, as that node sees the cluster. */
    String view(int node) {
        try {
            return onNode(node, redis -> redis.clusterInfo() + "\n" + redis.clusterNodes());
        } catch (RuntimeException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    private static boolean healthy(String view) {
        return view.contains("cluster_state:ok") && view.lines()
                .filter(line -> line.contains("master") && line.contains(" connected") && !line.contains("fail"))
                .count() == MASTERS;
    }

    /** A free port whose bus port (+10000) is free as well and not already given to another node. */
    private static int freePortWithBus(Set<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = PrivateMariaDb.freePort();
            if (port + BUS_PORT_OFFSET <= 65_535 && !taken.contains(port) && !taken.contains(port + BUS_PORT_OFFSET)
                    && isFree(port + BUS_PORT_OFFSET)) {
                taken.add(port);
                taken.add(port + BUS_PORT_OFFSET);
                return port;
            }
        }
        throw new IllegalStateException("no free port with a free bus port (+10000) found in 200 attempts");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills exactly this cluster's processes and deletes their folders. */
    @Override
    public void close() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(nodes);
        all.add(() -> resources.shutdown(0, 1, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS));
        PrivateServers.closeAll(all.toArray(new AutoCloseable[0]));
    }
}
