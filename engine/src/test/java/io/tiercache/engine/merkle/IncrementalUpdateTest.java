package io.tiercache.engine.merkle;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tree kept in a store and moved batch by batch through {@link IncrementalUpdate} (reading only touched nodes)
 * stays equal to a tree rebuilt from scratch over the items, whatever the random sequence of inserts, updates and
 * deletes; and recomputing ancestors repairs upper levels left stale.
 */
class IncrementalUpdateTest {

    /** A store as a map, stored exactly as MerkleStore#store writes: ZERO deletes. */
    private static final class MapStore implements NodeSource {
        final Map<MerklePath, Digest256> nodes = new TreeMap<>();
        long pathsRead;

        @Override
        public Map<MerklePath, Digest256> nodes(java.util.Collection<MerklePath> paths) {
            pathsRead += paths.size();
            Map<MerklePath, Digest256> out = new HashMap<>();
            for (MerklePath path : paths) {
                if (nodes.containsKey(path)) {
                    out.put(path, nodes.get(path));
                }
            }
            return out;
        }

        void store(Map<MerklePath, Digest256> changed) {
            changed.forEach((path, digest) -> {
                if (digest.isZero()) {
                    nodes.remove(path);
                } else {
                    nodes.put(path, digest);
                }
            });
        }
    }

    @Property(tries = 30)
    void randomBatchesKeepTheStoredTreeEqualToOneRebuiltFromScratch(@ForAll long seed,
                                                                    @ForAll @IntRange(min = 1, max = 30) int rounds)
            throws Exception {
        Random random = new Random(seed);
        MapStore store = new MapStore();
        Map<String, ItemState> items = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            List<ItemChange> batch = new ArrayList<>();
            Map<String, ItemState> next = new HashMap<>(items);
            for (int i = 0, n = 1 + random.nextInt(25); i < n; i++) {
                String id = "ns/" + random.nextInt(120);
                if (batch.stream().anyMatch(c -> c.id().equals(id))) {
                    continue;
                }
                ItemState before = next.get(id);
                ItemState after = random.nextInt(4) == 0 ? null
                        : TestItems.state("p" + random.nextInt(5), 1 + random.nextInt(9));
                batch.add(new ItemChange(id, before, after));
                if (after == null) {
                    next.remove(id);
                } else {
                    next.put(id, after);
                }
            }
            store.store(IncrementalUpdate.apply(store, batch));
            items = next;
            assertThat(store.nodes).as("round " + round).isEqualTo(MerkleTree.build(items).nodes());
        }
    }

    @Test
    void aWriteReadsItsLeafAndTheChildrenOfItsFourAncestorsOnly() throws Exception {
        MapStore store = new MapStore();
        store.store(IncrementalUpdate.apply(store, List.of(new ItemChange("ns/a", null, TestItems.state("x", 1)))));
        store.pathsRead = 0;
        store.store(IncrementalUpdate.apply(store, List.of(new ItemChange("ns/b", null, TestItems.state("y", 1)))));
        assertThat(store.pathsRead).isEqualTo(1 + 4 * (1 + MerklePath.FANOUT));
    }

    @Test
    void recomputingAncestorsToTheRootRepairsAStaleRoot() throws Exception {
        Map<String, ItemState> items = TestItems.items(50);
        MapStore store = new MapStore();
        store.store(MerkleTree.build(items).nodes());
        store.nodes.put(MerklePath.ROOT, ItemDigest.of("ns/x", TestItems.state("stale", 1)));
        MerklePath leaf = MerklePath.bucketOf(TestItems.id(0));
        store.store(IncrementalUpdate.recomputeAncestors(store, Map.of(leaf, store.nodes.get(leaf)), true));
        assertThat(store.nodes).isEqualTo(MerkleTree.build(items).nodes());
    }
}
