package io.tiercache.jcache.nodes;

import io.tiercache.engine.nodes.NodeProcess;
import io.tiercache.engine.nodes.SharedNodes;
import io.tiercache.engine.nodes.SharedNodesExtension;
import io.tiercache.jcache.TierCachingProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conditional JCache operations are atomic across JVMs, not only across threads (issue #5): two node processes
 * sharing Redis and MariaDB each run 10,000 {@code invoke} increments on one key and race {@code putIfAbsent} on the
 * same keys. Redis arbitrates every step with a compare-and-set.
 */
class TwoNodeAtomicityIT {
    private static final int INCREMENTS = 10_000;
    private static final int KEYS = 500;

    @TempDir
    Path dir;
    @RegisterExtension
    final SharedNodesExtension backends = new SharedNodesExtension();

    @Test
    void twoJvmsIncrementingOneKeyLoseNoIncrementAndEachKeyHasOneOwner() throws Exception {
        SharedNodes shared = backends.nodes();
        List<NodeProcess> nodes = new ArrayList<>();
        for (String name : List.of("node-a", "node-b")) {
            nodes.add(shared.start(AtomicityWorker.class, dir.resolve(name + ".log"), shared.redis().prefix(),
                    shared.database().jdbcUrl(), dir.resolve(name).toString(), name, Integer.toString(INCREMENTS),
                    Integer.toString(KEYS)));
        }
        for (NodeProcess node : nodes) {
            node.send("GO");
        }
        Map<String, List<String>> owners = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            String won = nodes.get(i).next();
            assertThat(won).startsWith("WON ");
            String name = i == 0 ? "node-a" : "node-b";
            for (String key : won.substring(4).split(",")) {
                if (!key.isEmpty()) {
                    owners.computeIfAbsent(key, k -> new ArrayList<>()).add(name);
                }
            }
            assertThat(nodes.get(i).awaitExit()).as(name + " exit code (log: " + nodes.get(i).log() + ")").isZero();
        }
        assertThat(owners).hasSize(KEYS);
        owners.forEach((key, won) -> assertThat(won).as("winners of " + key).hasSize(1));

        TierCachingProvider provider = new TierCachingProvider();
        try (CacheManager manager = provider.getCacheManager(URI.create("tiercache:checker"),
                getClass().getClassLoader(), AtomicityWorker.settings(shared.redis().prefix(),
                        shared.database().jdbcUrl(), dir.resolve("checker").toString()))) {
            Cache<String, Long> counters = manager.createCache("counters", new MutableConfiguration<String, Long>()
                    .setTypes(String.class, Long.class));
            assertThat(counters.get("hits")).isEqualTo(2L * INCREMENTS);
            Cache<String, String> ownerCache = manager.createCache("owners",
                    new MutableConfiguration<String, String>().setTypes(String.class, String.class));
            owners.forEach((key, won) -> assertThat(ownerCache.get(key)).as(key).isEqualTo(won.get(0)));
        } finally {
            provider.close();
        }
    }
}
