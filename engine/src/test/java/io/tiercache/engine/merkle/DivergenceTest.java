package io.tiercache.engine.merkle;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import static io.tiercache.engine.merkle.TestItems.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DivergenceTest {
    /** Paths a full top-down walk asks for: every node of a 16-ary tree of depth 4. */
    private static final long FULL_WALK = 1 + 16 + 256 + 4096 + 65_536;
    private static final Digest256 A = Digest256.fromHex("aa".repeat(32));
    private static final Digest256 B = Digest256.fromHex("bb".repeat(32));

    @Test
    void siblingsDivergeWhenDigestsDifferOrOneSideLacksTheNode() {
        MerklePath p0 = MerklePath.of("0");
        MerklePath p1 = MerklePath.of("1");
        MerklePath p2 = MerklePath.of("2");
        MerklePath p3 = MerklePath.of("3");
        assertThat(Divergence.findDivergentPaths(Map.of(p0, A, p1, A, p2, A), Map.of(p0, A, p1, B, p3, B)))
                .containsExactly(p1, p2, p3);
        assertThat(Divergence.findDivergentPaths(Map.of(p0, Digest256.ZERO), Map.of())).isEmpty();
        assertThatThrownBy(() -> Divergence.findDivergentPaths(null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalTreesCostOneReadPerSide() throws Exception {
        Map<String, ItemState> items = TestItems.items(1_000);
        var local = new Divergence.CountingSource(MerkleTree.build(items));
        var remote = new Divergence.CountingSource(TestItems.incrementally(items));
        assertThat(Divergence.drillDown(local, remote)).isEmpty();
        assertThat(local.pathsRead()).isEqualTo(1);
        assertThat(remote.pathsRead()).isEqualTo(1);
    }

    @Test
    void updatesInsertsAndDeletesOnOneSideAreFoundAsTheirBuckets() throws Exception {
        Map<String, ItemState> items = TestItems.items(2_000);
        MerkleTree local = MerkleTree.build(items);
        MerkleTree remote = MerkleTree.build(items);
        remote.apply(TestItems.id(7), items.get(TestItems.id(7)), state("changed", 99));
        remote.apply("ns/only-remote", null, state("new", 1));
        local.apply(TestItems.id(8), items.get(TestItems.id(8)), null);

        assertThat(Divergence.drillDown(local, remote)).containsExactlyInAnyOrder(
                MerklePath.bucketOf(TestItems.id(7)), MerklePath.bucketOf("ns/only-remote"),
                MerklePath.bucketOf(TestItems.id(8)));
        SortedSet<MerklePath> remoteLeaves = new TreeSet<>();
        remote.nodes().keySet().stream().filter(MerklePath::isLeaf).forEach(remoteLeaves::add);
        assertThat(Divergence.drillDown(new MerkleTree(), remote)).isEqualTo(remoteLeaves);
    }

    @Test
    void readsGrowWithTheDivergenceNotWithTheData() throws Exception {
        Map<String, ItemState> items = TestItems.items(100_000);
        MerkleTree base = MerkleTree.build(items);

        Cost onePercent = compare(base, items, 1_000);
        Cost oneHundredth = compare(base, items, 10);

        System.out.printf("merkle divergence over 100,000 items: full walk %,d paths per side; "
                        + "1%% altered (%,d buckets) read %,d paths in %d calls; "
                        + "0.01%% altered (%,d buckets) read %,d paths in %d calls%n",
                FULL_WALK, onePercent.buckets, onePercent.pathsRead, onePercent.calls,
                oneHundredth.buckets, oneHundredth.pathsRead, oneHundredth.calls);
        assertThat(onePercent.pathsRead).isLessThan(FULL_WALK / 3);
        assertThat(oneHundredth.pathsRead).isLessThan(FULL_WALK / 100);
        assertThat(onePercent.calls).isEqualTo(1 + 4);
    }

    private record Cost(int buckets, long pathsRead, long calls) {
    }

    /** Alters every (100,000 / altered)-th item on the remote side and checks the exact buckets and read count. */
    private static Cost compare(MerkleTree base, Map<String, ItemState> items, int altered) throws Exception {
        Map<String, ItemState> changed = new HashMap<>(items);
        SortedSet<MerklePath> expected = new TreeSet<>();
        int step = items.size() / altered;
        for (int n = 0; n < items.size(); n += step) {
            changed.put(TestItems.id(n), state("altered" + n, n + 2L));
            expected.add(MerklePath.bucketOf(TestItems.id(n)));
        }
        var local = new Divergence.CountingSource(base);
        var remote = new Divergence.CountingSource(MerkleTree.build(changed));

        assertThat(Divergence.drillDown(local, remote)).isEqualTo(expected);

        // Every differing internal node costs its 16 children, plus the root itself: nothing else is read.
        Set<MerklePath> divergentInternal = new TreeSet<>();
        for (MerklePath leaf : expected) {
            for (MerklePath p = leaf.parent(); ; p = p.parent()) {
                divergentInternal.add(p);
                if (p.isRoot()) {
                    break;
                }
            }
        }
        assertThat(local.pathsRead()).isEqualTo(1 + 16L * divergentInternal.size()).isEqualTo(remote.pathsRead());
        return new Cost(expected.size(), local.pathsRead(), local.calls());
    }
}
