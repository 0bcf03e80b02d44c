package io.tiercache.engine.merkle;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The three laws the incremental tree must obey; tries are modest because each try builds whole trees. */
class MerkleTreePropertiesTest {

    @Property(tries = 40)
    void theRootDoesNotDependOnTheOrderOfApplies(@ForAll("itemSets") Map<String, ItemState> items,
                                                 @ForAll long shuffleSeed) {
        List<Map.Entry<String, ItemState>> shuffled = new ArrayList<>(items.entrySet());
        Collections.shuffle(shuffled, new Random(shuffleSeed));
        MerkleTree inOrder = TestItems.incrementally(items);
        MerkleTree otherOrder = new MerkleTree();
        shuffled.forEach(e -> otherOrder.apply(e.getKey(), null, e.getValue()));
        assertThat(otherOrder.root()).isEqualTo(inOrder.root());
        assertThat(otherOrder.nodes()).isEqualTo(inOrder.nodes());
    }

    @Property(tries = 40)
    void applyingThenRevertingAChangeRestoresTheRoot(@ForAll("itemSets") Map<String, ItemState> items,
                                                     @ForAll @IntRange(min = 0, max = 1000) int pick,
                                                     @ForAll("states") ItemState replacement) {
        MerkleTree tree = TestItems.incrementally(items);
        Digest256 root = tree.root();
        var nodes = tree.nodes();
        List<String> ids = new ArrayList<>(items.keySet());
        String id = ids.isEmpty() ? "fresh/id" : ids.get(pick % ids.size());
        ItemState before = items.get(id);

        tree.apply(id, before, replacement);
        tree.apply(id, replacement, before);
        assertThat(tree.root()).isEqualTo(root);
        assertThat(tree.nodes()).isEqualTo(nodes);

        tree.apply(id, before, null);
        tree.apply(id, null, before);
        assertThat(tree.nodes()).isEqualTo(nodes);
    }

    @Property(tries = 30)
    void incrementalUpdatesEqualAFromScratchRebuild(@ForAll("itemSets") Map<String, ItemState> initial,
                                                    @ForAll("edits") List<Edit> edits) {
        MerkleTree tree = TestItems.incrementally(initial);
        Map<String, ItemState> truth = new HashMap<>(initial);
        for (Edit edit : edits) {
            ItemState before = truth.get(edit.id());
            if (edit.after() == null) {
                truth.remove(edit.id());
            } else {
                truth.put(edit.id(), edit.after());
            }
            tree.apply(edit.id(), before, edit.after());
        }
        MerkleTree rebuilt = MerkleTree.build(truth);
        assertThat(tree.root()).isEqualTo(rebuilt.root());
        assertThat(tree.nodes()).isEqualTo(rebuilt.nodes());
    }

    record Edit(String id, ItemState after) {
    }

    @Provide
    Arbitrary<Map<String, ItemState>> itemSets() {
        return Arbitraries.maps(ids(), states()).ofMaxSize(300);
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        Arbitrary<ItemState> maybeDeleted = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, states()), net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
        return Combinators.combine(ids(), maybeDeleted).as(Edit::new).list().ofMaxSize(200);
    }

    @Provide
    Arbitrary<ItemState> states() {
        return Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(8), Arbitraries.longs())
                .as(TestItems::state);
    }

    // A small id space so edits hit existing items and buckets collide.
    private Arbitrary<String> ids() {
        return Arbitraries.integers().between(0, 400).map(TestItems::id);
    }
}
