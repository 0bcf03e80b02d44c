package io.tiercache.engine.redis;

import io.lettuce.core.api.sync.RedisCommands;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.chaos.PrivateRedisCluster;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.ItemTierContract;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * L2 on a private three-master Redis Cluster passes the whole tier contract, and what only a cluster can get wrong:
 * namespaces spread over every master while each stays whole on one, a script missing on a node is loaded there
 * again, a namespace resharded to another master is followed, eviction relieves each master against its own
 * maxmemory, and closing stops every client thread.
 */
class RedisClusterTierIT extends ItemTierContract {
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static PrivateRedisCluster cluster;
    private static ClusterNodeView nodes;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PrivateRedisCluster.start();
        nodes = new ClusterNodeView(cluster);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    private static String newPrefix() {
        return "tcc" + TESTS.incrementAndGet() + ":";
    }

    private static SyncEngineConfig.Builder config(String prefix) {
        return SyncEngineConfig.builder().redisUrl(cluster.url()).redisPrefix(prefix).redisTimeoutMs(2_000)
                .redisResponseTimeoutMs(5_000);
    }

    @Override
    protected ItemTier openTier(TimeSource time) throws Exception {
        return RedisTier.open(config(newPrefix()).build(), time);
    }

    private static SyncItem item(String id, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        java.util.Arrays.fill(payload, (byte) 'x');
        return SyncItem.create(id, payload, 1, "s", SyncItem.NO_EXPIRY, 1L);
    }

    /** Ids over {@code namespaces} namespaces, {@code perNamespace} each, written as one batch. */
    private static List<String> writeSpread(RedisTier tier, int namespaces, int perNamespace, int payloadBytes)
            throws Exception {
        List<String> ids = new ArrayList<>();
        List<TierWrite> batch = new ArrayList<>();
        for (int n = 0; n < namespaces; n++) {
            for (int i = 0; i < perNamespace; i++) {
                String id = "ns" + n + "/" + i;
                ids.add(id);
                batch.add(new TierWrite.Upsert(item(id, payloadBytes)));
            }
        }
        tier.apply(batch);
        return ids;
    }

    @Test
    void namespacesSpreadOverEveryMasterAndEachStaysWholeOnOne() throws Exception {
        String prefix = newPrefix();
        try (RedisTier tier = RedisTier.open(config(prefix).build(), TimeSource.system())) {
            List<String> ids = writeSpread(tier, 24, 5, 16);
            assertThat(tier.describe()).startsWith("redis-cluster://127.0.0.1:");

            Map<String, Set<Integer>> nodesOfNamespace = new HashMap<>();
            for (int node = 0; node < PrivateRedisCluster.MASTERS; node++) {
                List<String> keys = nodes.keysUnder(node, prefix);
                assertThat(keys).as("keys of the prefix on master %s", node).isNotEmpty();
                for (String key : keys) {
                    int open = key.indexOf('{', prefix.length());
                    if (open >= 0) {
                        nodesOfNamespace.computeIfAbsent(key.substring(open, key.indexOf('}', open) + 1),
                                k -> new HashSet<>()).add(node);
                    }
                }
            }
            assertThat(nodesOfNamespace).hasSize(24)
                    .allSatisfy((tag, holders) -> assertThat(holders).as("masters holding %s", tag).hasSize(1));

            long now = System.currentTimeMillis();
            assertThat(tier.getMany(ids)).hasSize(ids.size());
            assertThat(tier.idsByPrefix("", null, 1_000, now)).hasSize(ids.size()).isSorted();
            assertThat(tier.countByState("s", now)).isEqualTo(ids.size());
            assertThat(tier.scanPrefix("ns7/", null, 10, now)).extracting(SyncItem::id)
                    .containsExactly("ns7/0", "ns7/1", "ns7/2", "ns7/3", "ns7/4");
            tier.apply(ids.stream().<TierWrite>map(id -> new TierWrite.Delete(id, 2)).toList());
            assertThat(tier.size()).isZero();
            assertThat(tier.getMany(ids)).isEmpty();
        }
    }

    /**
     * A prefix may carry braces: a whole {@code {it}} is the tag of every key (one slot, one master), an unclosed
     * {@code {} makes a tag out of its tail and the namespace. Either way no script or index spans two slots.
     */
    @Test
    void prefixesWithBracesKeepEveryNamespaceOnOneMaster() throws Exception {
        for (String prefix : List.of("tc{it}*?[x]\\%}:" + TESTS.incrementAndGet() + ":", "a{b" + newPrefix())) {
            try (RedisTier tier = RedisTier.open(config(prefix).build(), TimeSource.system())) {
                List<String> ids = writeSpread(tier, 12, 3, 16);
                long now = System.currentTimeMillis();
                assertThat(tier.getMany(ids)).hasSize(ids.size());
                assertThat(tier.idsByPrefix("", null, 100, now)).as(prefix).hasSize(ids.size());
                assertThat(tier.purgeExpired(now)).isZero();
                Map<String, Set<Integer>> nodesOfNamespace = new HashMap<>();
                for (int node = 0; node < PrivateRedisCluster.MASTERS; node++) {
                    for (String key : nodes.keysUnder(node, prefix)) {
                        int ns = key.indexOf("ns");
                        if (ns >= 0) {
                            String namespace = key.substring(ns, key.indexOf('/', ns) + 1);
                            nodesOfNamespace.computeIfAbsent(namespace, k -> new HashSet<>()).add(node);
                        }
                    }
                }
                assertThat(nodesOfNamespace).as(prefix).hasSize(12)
                        .allSatisfy((ns, holders) -> assertThat(holders).as("masters holding %s", ns).hasSize(1));
                tier.apply(ids.stream().<TierWrite>map(id -> new TierWrite.Delete(id, 2)).toList());
                assertThat(tier.size()).isZero();
            }
        }
    }

    @Test
    void aScriptMissingOnANodeIsLoadedOnThatNodeAgain() throws Exception {
        try (RedisTier tier = RedisTier.open(config(newPrefix()).build(), TimeSource.system())) {
            for (int node = 0; node < PrivateRedisCluster.MASTERS; node++) {
                nodes.on(node, RedisCommands::scriptFlush);
            }
            List<String> ids = writeSpread(tier, 12, 3, 16);
            long now = System.currentTimeMillis();
            assertThat(tier.getMany(ids)).hasSize(ids.size());
            assertThat(tier.countPrefix("", now)).isEqualTo(ids.size());
            assertThat(tier.purgeExpired(now)).isZero();
            assertThat(tier.invalidate(ids.subList(0, 6))).isEqualTo(6);
            for (int node = 0; node < PrivateRedisCluster.MASTERS; node++) {
                List<Boolean> cached = nodes.on(node,
                        redis -> redis.scriptExists(LuaScripts.UPSERT.sha(), LuaScripts.SCAN.sha()));
                assertThat(cached).as("scripts cached again on master %s", node).containsExactly(true, true);
            }
        }
    }

    /**
     * Master 0 alone gets a maxmemory just above its use. The other tests' keys stay on the cluster, so the ratios
     * are close to 1: what must go is a few hundred KB of this test's items on master 0, whatever else it holds.
     */
    @Test
    void evictionRelievesTheFullMasterFromItsOwnNamespacesOnly() throws Exception {
        String prefix = newPrefix();
        try (RedisTier tier = RedisTier.open(config(prefix).redisEvictionEnabled(true).redisEvictionStart(0.95)
                .redisEvictionTarget(0.90).build(), TimeSource.system())) {
            writeSpread(tier, 12, 60, 2_048);
            List<Integer> before = nodes.keyCounts(prefix);
            assertThat(before.get(0)).as("items of this test on master 0").isGreaterThan(100);
            long maxMemory = nodes.usedMemory(0) * 100 / 96;
            nodes.on(0, redis -> redis.configSet("maxmemory", Long.toString(maxMemory)));
            try {
                assertThat(tier.evictIfNeeded()).isPositive();
                List<Integer> after = nodes.keyCounts(prefix);
                assertThat(after.get(0)).as("keys on the full master").isLessThan(before.get(0)).isPositive();
                assertThat(after.subList(1, 3)).as("keys on the other masters").isEqualTo(before.subList(1, 3));
                assertThat(nodes.usedMemory(0)).as("used_memory, read on a connection of its own (a client's buffers "
                        + "are some 20 KB of it)").isLessThanOrEqualTo((long) (0.90 * maxMemory) + (64 << 10));
            } finally {
                nodes.on(0, redis -> redis.configSet("maxmemory", "0"));
            }
        }
    }

    /** The tier's client still has the old topology: reads, scans and a batch over the slot follow MOVED. */
    @Test
    void aNamespaceMovedToAnotherMasterIsFollowed() throws Exception {
        String prefix = newPrefix();
        try (RedisTier tier = RedisTier.open(config(prefix).build(), TimeSource.system())) {
            List<String> ids = writeSpread(tier, 6, 5, 16);
            String moved = ItemCodec.text(new RedisKeys(prefix).ids("ns0/"));
            int from = cluster.slots().nodeOf(moved);
            int to = (from + 1) % PrivateRedisCluster.MASTERS;
            cluster.slots().moveSlotOf(moved, to);
            assertThat(cluster.slots().nodeOf(moved)).isEqualTo(to);

            long now = System.currentTimeMillis();
            assertThat(tier.getMany(ids)).hasSize(ids.size());
            assertThat(tier.idsByPrefix("ns0/", null, 10, now)).hasSize(5);
            List<TierWrite> batch = new ArrayList<>();
            for (String id : ids) {
                batch.add(new TierWrite.Upsert(SyncItem.create(id, new byte[]{2}, 2, "s", SyncItem.NO_EXPIRY, 1L)));
            }
            batch.add(new TierWrite.Delete("ns0/0", 3));
            tier.apply(batch);
            assertThat(tier.get("ns0/1").orElseThrow().version()).isEqualTo(2);
            assertThat(tier.get("ns0/0")).isEmpty();
            List<String> onTarget = nodes.keysUnder(to, prefix);
            List<String> onSource = nodes.keysUnder(from, prefix);
            assertThat(onTarget).anyMatch(key -> key.contains("{ns0/}"));
            assertThat(onSource).noneMatch(key -> key.contains("{ns0/}"));
        }
    }

    @Test
    void closeLeavesNoClientThreadsBehind() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        RedisTier tier = RedisTier.open(config(newPrefix()).build(), TimeSource.system());
        writeSpread(tier, 6, 2, 16);
        tier.ping();
        tier.close();
        long deadline = System.currentTimeMillis() + 3_000;
        while (!newThreads(before).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(newThreads(before)).as("threads started by the tier and still alive after close").isEmpty();
    }

    private static List<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName).toList();
    }

    /** The master holding the namespace registry stays up (eviction lists namespaces there); another one dies. */
    @Test
    void evictionGoesOnForTheMastersThatAnswerWhileOneIsDown() throws Exception {
        String prefix = newPrefix();
        try (RedisTier tier = RedisTier.open(config(prefix).redisEvictionEnabled(true).redisEvictionStart(0.95)
                .redisEvictionTarget(0.90).redisResponseTimeoutMs(2_000).build(), TimeSource.system())) {
            writeSpread(tier, 12, 60, 2_048);
            int full = cluster.slots().nodeOf(ItemCodec.text(new RedisKeys(prefix).namespaces()));
            int dead = (full + 1) % PrivateRedisCluster.MASTERS;
            int before = nodes.keyCounts(prefix).get(full);
            assertThat(before).as("items of this test on master %s", full).isGreaterThan(100);
            long maxMemory = nodes.usedMemory(full) * 100 / 96;
            cluster.kill9(dead);
            try {
                nodes.on(full, redis -> redis.configSet("maxmemory", Long.toString(maxMemory)));
                assertThat(tier.evictIfNeeded()).isPositive();
                List<String> after = nodes.keysUnder(full, prefix);
                assertThat(after).hasSizeLessThan(before);
                assertThatThrownBy(tier::ping).isInstanceOf(TierAccessException.class);
            } finally {
                nodes.on(full, redis -> redis.configSet("maxmemory", "0"));
                cluster.restart(dead);
            }
        }
    }
}
