package io.tiercache.engine.redis;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Connections on a private server: URLs with credentials, timeouts that hold while the server is frozen (SIGSTOP),
 * failures typed as {@link TierAccessException} for L2, and a close that leaves no client threads behind.
 */
class RedisTierConnectionIT {
    private static final long RESPONSE_TIMEOUT_MS = 500;
    private static final long SLACK_MS = 700;
    private static PrivateRedisServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PrivateRedisServer.start("--requirepass", "s3cret",
                "--user", "alice", "on", ">wonder", "~*", "&*", "+@all");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static RedisTier open(String url) throws TierAccessException {
        return RedisTier.open(server.config().redisUrl(url).redisResponseTimeoutMs(RESPONSE_TIMEOUT_MS).build(),
                TimeSource.system());
    }

    private static SyncItem item(String id) {
        return SyncItem.create(id, "x".getBytes(StandardCharsets.UTF_8), 1, "default", SyncItem.NO_EXPIRY, 1L);
    }

    @Test
    void passwordAndAclUserComeFromTheUrlAndNeverShowInDescribe() throws Exception {
        for (String url : List.of("redis://:s3cret@127.0.0.1:" + server.port(),
                "redis://alice:wonder@127.0.0.1:" + server.port() + "/0")) {
            try (RedisTier tier = open(url)) {
                tier.apply(List.of(new TierWrite.Upsert(item("auth/1"))));
                assertThat(tier.get("auth/1")).isPresent();
                assertThat(tier.describe()).startsWith("redis://127.0.0.1:" + server.port() + "/0")
                        .doesNotContain("s3cret").doesNotContain("wonder").doesNotContain("alice");
            }
        }
    }

    @Test
    void aWrongPasswordFailsOpeningAsAnL2AccessFailure() {
        assertThatThrownBy(() -> open("redis://alice:nope@127.0.0.1:" + server.port()))
                .isInstanceOfSatisfying(TierAccessException.class, e -> assertThat(e.tier()).isEqualTo(Tier.L2))
                .message().doesNotContain("nope");
        assertThatThrownBy(() -> open(server.url())).isInstanceOf(TierAccessException.class);
    }

    @Test
    void aServerThatIsNotThereFailsWithinTheConnectTimeout() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> open("redis://127.0.0.1:" + port)).isInstanceOf(TierAccessException.class);
        assertThat(millisSince(start)).isLessThan(2_000 + SLACK_MS);
    }

    @Test
    void unsupportedUrlFormsAreRejectedByName() {
        for (String url : List.of("http://127.0.0.1:6379", "127.0.0.1:6379", "redis://127.0.0.1:7000,127.0.0.1:7001",
                "redis-cluster://127.0.0.1:7000#master")) {
            assertThatThrownBy(() -> RedisConnections.open(url, 1_000, 1_000, resources -> {
            })).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("redis-cluster://").hasMessageContaining("redis-sentinel://");
        }
        assertThatThrownBy(() -> RedisTier.open(SyncEngineConfig.builder().build(), TimeSource.system()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redisUrl is not set");
    }

    @Test
    void aFrozenServerFailsCallsWithinTheResponseTimeoutAndServesAgainOnceResumed() throws Exception {
        try (RedisTier tier = open("redis://:s3cret@127.0.0.1:" + server.port())) {
            tier.apply(List.of(new TierWrite.Upsert(item("frozen/1"))));
            server.freeze();
            try {
                long start = System.nanoTime();
                assertThatThrownBy(() -> tier.get("frozen/1"))
                        .isInstanceOfSatisfying(TierAccessException.class,
                                e -> assertThat(e.tier()).isEqualTo(Tier.L2));
                assertThat(millisSince(start)).isBetween(RESPONSE_TIMEOUT_MS - 50, RESPONSE_TIMEOUT_MS + SLACK_MS);

                start = System.nanoTime();
                assertThatThrownBy(() -> tier.apply(List.of(new TierWrite.Upsert(item("frozen/2")))))
                        .isInstanceOf(TierAccessException.class);
                assertThatThrownBy(() -> tier.idsByPrefix("", null, 10, 0)).isInstanceOf(TierAccessException.class);
                assertThat(millisSince(start)).isLessThan(2 * (RESPONSE_TIMEOUT_MS + SLACK_MS));
            } finally {
                server.resume();
            }
            assertThat(tier.get("frozen/1")).isPresent();
            tier.ping();
        }
    }

    @Test
    void afterACrashCallsFailFastAndTheTierRecoversOnceRedisIsBackEmpty() throws Exception {
        try (PrivateRedisServer own = PrivateRedisServer.start();
             RedisTier tier = RedisTier.open(own.config().redisResponseTimeoutMs(RESPONSE_TIMEOUT_MS).build(),
                     TimeSource.system())) {
            tier.apply(List.of(new TierWrite.Upsert(item("crash/1"))));
            own.kill();
            long start = System.nanoTime();
            assertThatThrownBy(() -> tier.get("crash/1")).isInstanceOf(TierAccessException.class);
            assertThatThrownBy(() -> tier.apply(List.of(new TierWrite.Upsert(item("crash/2")))))
                    .isInstanceOf(TierAccessException.class);
            assertThat(millisSince(start)).isLessThan(RESPONSE_TIMEOUT_MS + SLACK_MS);

            own.restart();
            long deadline = System.currentTimeMillis() + 10_000;
            while (true) {
                try {
                    tier.ping();
                    break;
                } catch (TierAccessException stillDown) {
                    assertThat(System.currentTimeMillis()).as("reconnected within 10 s").isLessThan(deadline);
                    Thread.sleep(50);
                }
            }
            assertThat(tier.get("crash/1")).as("the restarted server is empty").isEmpty();
            tier.apply(List.of(new TierWrite.Upsert(item("crash/3"))));
            assertThat(tier.idsByPrefix("crash/", null, 10, System.currentTimeMillis())).containsExactly("crash/3");
        }
    }

    @Test
    void closeLeavesNoClientThreadsBehind() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        RedisTier tier = open("redis://:s3cret@127.0.0.1:" + server.port());
        tier.apply(List.of(new TierWrite.Upsert(item("threads/1"))));
        tier.getMany(List.of("threads/1", "threads/2"));
        assertThat(newThreads(before)).as("the client runs threads while open").isNotEmpty();
        tier.close();
        long deadline = System.currentTimeMillis() + 3_000;
        while (!newThreads(before).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(newThreads(before)).as("threads started by the tier and still alive after close").isEmpty();
        assertThatThrownBy(tier::ping).isInstanceOf(TierAccessException.class).hasMessageContaining("closed");
        tier.close();
    }

    private static Set<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : ""))
                .collect(Collectors.toSet());
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
