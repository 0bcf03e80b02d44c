package io.tiercache.engine.chaos;

import io.lettuce.core.MigrateArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;

import java.util.List;

/**
 * The slots of a {@link PrivateRedisCluster} as its nodes report them: which master serves a key, and moving a key's
 * slot to another master behind the back of connected clients, as resharding does.
 */
public final class ClusterSlots {
    private final PrivateRedisCluster cluster;

    ClusterSlots(PrivateRedisCluster cluster) {
        this.cluster = cluster;
    }

    /** The node that serves {@code key}, from the slot ranges the live nodes report for themselves. */
    public int nodeOf(String key) {
        int slot = SlotHash.getSlot(key);
        for (int node = 0; node < cluster.size(); node++) {
            String myself = cluster.view(node).lines().filter(line -> line.contains("myself")).findFirst().orElse("");
            String[] fields = myself.split(" ");
            for (int i = 8; i < fields.length; i++) {
                if (fields[i].startsWith("[")) {
                    continue; // a slot being imported or migrated, not served
                }
                String[] range = fields[i].split("-");
                int from = Integer.parseInt(range[0].trim());
                int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
                if (slot >= from && slot <= to) {
                    return node;
                }
            }
        }
        throw new IllegalStateException("no live node serves slot " + slot + " of " + key);
    }

    /**
     * Moves the slot of {@code key}, keys and all, to master {@code to}: IMPORTING and MIGRATING, MIGRATE of its keys,
     * then SETSLOT NODE on every node. Clients that knew the old owner get MOVED on their next command for it.
     */
    public void moveSlotOf(String key, int to) {
        int slot = SlotHash.getSlot(key);
        int from = nodeOf(key);
        String fromId = cluster.onNode(from, RedisCommands::clusterMyId);
        String toId = cluster.onNode(to, RedisCommands::clusterMyId);
        cluster.onNode(to, redis -> redis.clusterSetSlotImporting(slot, fromId));
        cluster.onNode(from, redis -> redis.clusterSetSlotMigrating(slot, toId));
        cluster.onNode(from, redis -> {
            for (List<String> keys = redis.clusterGetKeysInSlot(slot, 100); !keys.isEmpty();
                 keys = redis.clusterGetKeysInSlot(slot, 100)) {
                MigrateArgs<String> args = MigrateArgs.Builder.keys(keys);
                if (cluster.password() != null) {
                    args.auth(cluster.password().toCharArray());
                }
                redis.migrate("127.0.0.1", cluster.port(to), 0, 5_000, args);
            }
            return null;
        });
        for (int node = 0; node < cluster.size(); node++) {
            cluster.onNode(node, redis -> redis.clusterSetSlotNode(slot, toId));
        }
    }
}
