package io.tiercache.engine.merkle;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tiercache.engine.merkle.TestItems.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MerkleTreeTest {
    private final MerkleTree tree = new MerkleTree();

    @Test
    void anEmptyTreeHasTheZeroRootAndNoNodes() {
        assertThat(tree.root()).isEqualTo(Digest256.ZERO);
        assertThat(tree.root().toHex()).isEqualTo("0".repeat(64));
        assertThat(tree.nodeCount()).isZero();
        assertThat(tree.children(MerklePath.ROOT)).isEmpty();
        assertThat(tree.node(MerklePath.ROOT)).isEmpty();
    }

    @Test
    void anInsertChangesExactlyTheLeafAndItsAncestors() {
        ItemState s = state("a", 1);
        Map<MerklePath, Digest256> changed = tree.apply("users/42", null, s);

        MerklePath leaf = MerklePath.bucketOf("users/42");
        assertThat(changed.keySet()).containsExactly(leaf, leaf.parent(), leaf.parent().parent(),
                leaf.parent().parent().parent(), MerklePath.ROOT);
        assertThat(changed.get(leaf)).isEqualTo(ItemDigest.of("users/42", s));
        changed.forEach((path, digest) -> assertThat(tree.hash(path)).isEqualTo(digest));
        assertThat(tree.nodeCount()).isEqualTo(5);
        assertThat(tree.children(leaf.parent())).containsOnlyKeys(leaf);
    }

    @Test
    void aParentIsTheSha256OfItsSixteenChildrenWithZerosForEmptyOnes() {
        tree.apply("users/42", null, state("a", 1));
        MerklePath leaf = MerklePath.bucketOf("users/42");
        Digest256[] children = new Digest256[16];
        children[leaf.lastDigit()] = tree.hash(leaf);
        assertThat(tree.hash(leaf.parent())).isEqualTo(MerkleTree.parentDigest(children));
        assertThat(MerkleTree.parentDigest(new Digest256[16])).isEqualTo(Digest256.ZERO);
    }

    @Test
    void anUpdateAddsTheNewDigestAndSubtractsTheOld() {
        tree.apply("a", null, state("x", 1));
        tree.apply("b", null, state("y", 1));
        tree.apply("a", state("x", 1), state("x2", 2));
        assertThat(tree.root()).isEqualTo(MerkleTree.build(Map.of("a", state("x2", 2), "b", state("y", 1))).root());
    }

    @Test
    void deletingTheLastItemEmptiesTheTreeAndReportsEveryNodeAsZero() {
        tree.apply("users/42", null, state("a", 1));
        Map<MerklePath, Digest256> changed = tree.apply("users/42", state("a", 1), null);
        assertThat(changed).hasSize(5).allSatisfy((path, digest) -> assertThat(digest.isZero()).isTrue());
        assertThat(tree.root()).isEqualTo(Digest256.ZERO);
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void aChangeToTheSameStateChangesNothing() {
        tree.apply("a", null, state("x", 1));
        assertThat(tree.apply("a", state("x", 1), state("x", 1))).isEmpty();
        assertThat(tree.apply("a", null, null)).isEmpty();
    }

    @Test
    void aBatchRecomputesEachTouchedParentOnceAndEqualsSingleApplies() {
        List<ItemChange> batch = new ArrayList<>();
        MerkleTree single = new MerkleTree();
        for (int n = 0; n < 500; n++) {
            batch.add(new ItemChange(TestItems.id(n), null, state("v" + n, n)));
            single.apply(TestItems.id(n), null, state("v" + n, n));
        }
        Map<MerklePath, Digest256> changed = tree.applyAll(batch);
        assertThat(tree.nodes()).isEqualTo(single.nodes());
        assertThat(changed).containsAllEntriesOf(tree.nodes()).hasSize(tree.nodeCount());
    }

    @Test
    void aTreeLoadedFromStoredNodesEqualsTheOriginalAndTornNodesAreRefused() {
        MerkleTree original = TestItems.incrementally(TestItems.items(300));
        assertThat(MerkleTree.fromNodes(original.nodes()).nodes()).isEqualTo(original.nodes());

        Map<MerklePath, Digest256> torn = new java.util.HashMap<>(original.nodes());
        MerklePath someInternal = original.children(MerklePath.ROOT).firstKey();
        torn.put(someInternal, Digest256.fromHex("11".repeat(32)));
        assertThatThrownBy(() -> MerkleTree.fromNodes(torn)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stored node " + someInternal);
    }

    @Test
    void nodesAnswersOnlyNonEmptyPaths() {
        tree.apply("users/42", null, state("a", 1));
        MerklePath leaf = MerklePath.bucketOf("users/42");
        MerklePath other = MerklePath.leafAt((leaf.index() + 1) % MerklePath.LEAF_COUNT);
        assertThat(tree.nodes(List.of(leaf, other, MerklePath.ROOT))).containsOnlyKeys(leaf, MerklePath.ROOT);
        assertThat(tree.childrenOf(List.of(leaf.parent()))).containsOnlyKeys(leaf);
    }

    @Test
    void hostileArgumentsGetClearExceptions() {
        assertThatThrownBy(() -> tree.apply(null, null, state("a", 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> tree.hash(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.children(MerklePath.of("0000"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no children");
        assertThatThrownBy(() -> tree.applyAll(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.fromLeaves(Map.of(MerklePath.of("abc"), Digest256.ZERO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a leaf");
        assertThatThrownBy(() -> MerkleTree.parentDigest(new Digest256[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
