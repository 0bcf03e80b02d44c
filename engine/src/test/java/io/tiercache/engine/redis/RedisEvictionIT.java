package io.tiercache.engine.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proactive eviction on a private server with a 4 MB maxmemory: above {@code redisEvictionStart} of it, the least
 * recently used items of the tier's prefix go until usage is under {@code redisEvictionTarget}; nothing else goes.
 */
class RedisEvictionIT {
    private static final long MAX_MEMORY = 4L << 20;
    /** used_memory also moves with client buffers (this test's own INFO calls): a reading is good to a few KB. */
    private static final long SLACK_BYTES = 32 << 10;
    private PrivateRedisServer server;
    private RedisClient client;
    private StatefulRedisConnection<String, String> admin;

    private void startServer(String... policy) throws Exception {
        List<String> args = new ArrayList<>(List.of("--maxmemory", Long.toString(MAX_MEMORY)));
        args.addAll(Arrays.asList(policy));
        server = PrivateRedisServer.start(args.toArray(new String[0]));
        client = RedisClient.create(server.url());
        admin = client.connect();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            admin.close();
            client.shutdown();
            server.close();
        }
    }

    private long usedMemory() {
        return admin.sync().info("memory").lines().filter(l -> l.startsWith("used_memory:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
    }

    private RedisTier open(boolean enabled) throws Exception {
        return RedisTier.open(server.config().redisEvictionEnabled(enabled).redisEvictionStart(0.75)
                .redisEvictionTarget(0.60).build(), TimeSource.system());
    }

    /** Writes 2 KB items over three namespaces until Redis uses at least {@code share} of its maxmemory. */
    private List<String> fillTo(RedisTier tier, double share) throws Exception {
        List<String> ids = new ArrayList<>();
        byte[] payload = new byte[2048];
        Arrays.fill(payload, (byte) 'x');
        while (usedMemory() < share * MAX_MEMORY) {
            List<TierWrite> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String id = List.of("a/", "b/", "").get(ids.size() % 3) + "item-" + ids.size();
                ids.add(id);
                batch.add(new TierWrite.Upsert(SyncItem.create(id, payload, 1, "default", SyncItem.NO_EXPIRY, 1L)));
            }
            tier.apply(batch);
        }
        return ids;
    }

    @Test
    void evictsTheLeastRecentlyUsedItemsOfItsPrefixDownToTheTarget() throws Exception {
        startServer();
        admin.sync().set("other-app:keep", "x".repeat(10_000));
        try (RedisTier tier = open(true)) {
            List<String> ids = fillTo(tier, 0.80);
            long stored = tier.size();
            // Redis keeps idle time in whole seconds: let every item age, then touch the hot ones.
            Thread.sleep(2_100);
            List<String> hot = ids.subList(0, 60);
            assertThat(tier.getMany(hot)).hasSize(hot.size());

            long evicted = tier.evictIfNeeded();

            assertThat(usedMemory()).isLessThanOrEqualTo((long) (0.60 * MAX_MEMORY) + SLACK_BYTES);
            assertThat(evicted).isPositive().isLessThan(stored);
            assertThat(tier.getMany(hot)).as("recently read items stay").hasSize(hot.size());
            assertThat(tier.size()).isEqualTo(stored - evicted);
            assertThat(tier.countPrefix("", System.currentTimeMillis())).isEqualTo(stored - evicted);
            assertThat(tier.getMany(ids)).hasSize((int) (stored - evicted));
            assertThat(admin.sync().exists("other-app:keep")).isEqualTo(1);
            assertThat(admin.sync().exists("tcp:namespaces")).isEqualTo(1);
            assertThat(tier.evictIfNeeded()).as("under the start threshold now").isZero();
        }
    }

    @Test
    void underAnLfuPolicyTheLeastFrequentlyUsedGoFirst() throws Exception {
        startServer("--maxmemory-policy", "allkeys-lfu");
        try (RedisTier tier = open(true)) {
            List<String> ids = fillTo(tier, 0.80);
            List<String> hot = ids.subList(0, 60);
            for (int i = 0; i < 20; i++) {
                tier.getMany(hot);
            }
            long evicted = tier.evictIfNeeded();
            assertThat(evicted).isPositive();
            assertThat(usedMemory()).isLessThanOrEqualTo((long) (0.60 * MAX_MEMORY) + SLACK_BYTES);
            assertThat(tier.getMany(hot)).as("frequently read items stay").hasSize(hot.size());
        }
    }

    @Test
    void doesNothingWhenDisabled() throws Exception {
        startServer();
        try (RedisTier tier = open(false)) {
            fillTo(tier, 0.80);
            long stored = tier.size();
            assertThat(tier.evictIfNeeded()).isZero();
            assertThat(tier.size()).isEqualTo(stored);
        }
    }

    @Test
    void doesNothingUnderTheStartThreshold() throws Exception {
        startServer();
        try (RedisTier tier = open(true)) {
            fillTo(tier, 0.50);
            long stored = tier.size();
            assertThat(tier.evictIfNeeded()).isZero();
            assertThat(tier.size()).isEqualTo(stored);
        }
    }
}
