package io.tiercache.engine.redis;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.chaos.PrivateRedisCluster;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * rediss:// (TLS), redis-sentinel://, redis-cluster:// with a password and rediss-cluster:// (TLS), each against
 * private servers started for the test.
 */
class RedisTierUrlFormsIT {
    @TempDir
    Path dir;

    private static RedisTier open(String url) throws TierAccessException {
        return RedisTier.open(io.tiercache.engine.SyncEngineConfig.builder().redisUrl(url).redisPrefix("forms:")
                .redisTimeoutMs(2_000).redisResponseTimeoutMs(2_000).build(), TimeSource.system());
    }

    private static void selfSignedCertificate(Path cert, Path key) throws Exception {
        int exit = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(),
                "-out", cert.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
        assertThat(exit).as("openssl must be on PATH to make a test certificate").isZero();
    }

    private static void roundTrip(RedisTier tier) throws TierAccessException {
        SyncItem item = SyncItem.create("forms/1", "x".getBytes(StandardCharsets.UTF_8), 1, "default",
                SyncItem.NO_EXPIRY, 1L);
        tier.apply(List.of(new TierWrite.Upsert(item)));
        assertThat(tier.get("forms/1")).contains(item);
    }

    @Test
    void redissSpeaksTlsAndVerifiesTheServerUnlessTheUrlSaysNot() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSignedCertificate(cert, key);
        try (PrivateRedisServer server = PrivateRedisServer.startTls(cert, key)) {
            try (RedisTier tier = open("rediss://127.0.0.1:" + server.port() + "?verifyPeer=NONE")) {
                roundTrip(tier);
                assertThat(tier.describe()).startsWith("rediss://127.0.0.1:" + server.port());
            }
            assertThatThrownBy(() -> open("rediss://127.0.0.1:" + server.port()))
                    .as("a self-signed certificate is not trusted by default").isInstanceOf(TierAccessException.class);
            assertThatThrownBy(() -> open("redis://127.0.0.1:" + server.port()))
                    .as("plain text to a TLS port").isInstanceOf(TierAccessException.class);
        }
    }

    @Test
    void redisClusterTakesThePasswordFromTheUrlForEveryNode() throws Exception {
        try (PrivateRedisCluster cluster = PrivateRedisCluster.startWithPassword("cl-s3cret")) {
            try (RedisTier tier = open("redis-cluster://:cl-s3cret@" + cluster.seeds())) {
                writeOnEveryMaster(tier);
                assertThat(tier.describe()).startsWith("redis-cluster://127.0.0.1:").doesNotContain("cl-s3cret");
            }
            assertThatThrownBy(() -> open("redis-cluster://:wrong@" + cluster.seeds()))
                    .isInstanceOf(TierAccessException.class).message().doesNotContain("wrong@");
            assertThatThrownBy(() -> open("redis-cluster://" + cluster.seeds()))
                    .as("no password").isInstanceOf(TierAccessException.class);
        }
    }

    @Test
    void rediss_clusterSpeaksTlsToEveryNodeItDiscovers() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSignedCertificate(cert, key);
        try (PrivateRedisCluster cluster = PrivateRedisCluster.startWithTls(cert, key)) {
            try (RedisTier tier = open("rediss-cluster://127.0.0.1:" + cluster.port(0) + "?verifyPeer=NONE")) {
                writeOnEveryMaster(tier);
                assertThat(tier.describe()).startsWith("rediss-cluster://127.0.0.1:" + cluster.port(0));
            }
            assertThatThrownBy(() -> open("rediss-cluster://" + cluster.seeds()))
                    .as("a self-signed certificate is not trusted by default").isInstanceOf(TierAccessException.class);
            assertThatThrownBy(() -> open("redis-cluster://" + cluster.seeds()))
                    .as("plain text to TLS ports").isInstanceOf(TierAccessException.class);
        }
    }

    /** Twelve namespaces, so some land on each of the three masters, read back through one seed's view. */
    private static void writeOnEveryMaster(RedisTier tier) throws TierAccessException {
        List<TierWrite> writes = new ArrayList<>();
        for (int n = 0; n < 12; n++) {
            writes.add(new TierWrite.Upsert(SyncItem.create("ns" + n + "/1", "x".getBytes(StandardCharsets.UTF_8),
                    1, "default", SyncItem.NO_EXPIRY, 1L)));
        }
        tier.apply(writes);
        assertThat(tier.getMany(writes.stream().map(TierWrite::id).toList())).hasSize(12);
        tier.ping();
    }

    @Test
    void redisSentinelFindsTheMasterThroughTheSentinel() throws Exception {
        try (PrivateRedisServer master = PrivateRedisServer.start();
             PrivateRedisServer sentinel = PrivateRedisServer.startSentinel(master, "cache-master", dir);
             RedisTier tier = open("redis-sentinel://127.0.0.1:" + sentinel.port() + "#cache-master")) {
            roundTrip(tier);
            assertThat(tier.describe()).startsWith("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#cache-master");
        }
    }
}
