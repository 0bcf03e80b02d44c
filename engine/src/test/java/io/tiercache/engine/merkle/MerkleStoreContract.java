package io.tiercache.engine.merkle;

import io.tiercache.engine.tier.TierAccessException;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tiercache.engine.merkle.TestItems.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link MerkleStore} backend must do; each backend's test subclasses this with a fresh store. */
abstract class MerkleStoreContract {
    private static final Digest256 A = Digest256.fromHex("aa".repeat(32));
    private static final Digest256 B = Digest256.fromHex("bb".repeat(32));

    protected abstract MerkleStore store();

    /** The database behind the store, to plant corrupt rows. */
    protected abstract DataSource dataSource();

    @Test
    void storedNodesLoadBackAndAbsentPathsAreEmpty() throws Exception {
        store().store("users", Map.of(MerklePath.ROOT, A, MerklePath.of("a3f0"), B));
        assertThat(store().load("users", List.of(MerklePath.ROOT, MerklePath.of("a3f0"), MerklePath.of("a3f1"))))
                .containsOnly(Map.entry(MerklePath.ROOT, A), Map.entry(MerklePath.of("a3f0"), B));
        assertThat(store().root("users")).isEqualTo(A);
        assertThat(store().root("nobody")).isEqualTo(Digest256.ZERO);
        store().store("users", Map.of(MerklePath.ROOT, B));
        assertThat(store().root("users")).isEqualTo(B);
    }

    @Test
    void zeroDeletesTheNodeSoAnEmptiedNamespaceHoldsNoRows() throws Exception {
        MerkleTree tree = new MerkleTree();
        store().store("users", tree.apply("users/42", null, state("a", 1)));
        assertThat(store().loadAll("users")).hasSize(5);
        store().store("users", tree.apply("users/42", state("a", 1), null));
        assertThat(store().loadAll("users")).isEmpty();
        assertThat(rowCount()).isZero();
    }

    @Test
    void namespacesAreIsolated() throws Exception {
        store().store("a", Map.of(MerklePath.ROOT, A));
        store().store("b", Map.of(MerklePath.ROOT, B));
        store().deleteNamespace("a");
        assertThat(store().loadAll("a")).isEmpty();
        assertThat(store().loadAll("b")).containsOnly(Map.entry(MerklePath.ROOT, B));
    }

    @Test
    void incrementalBatchesKeepTheStoredTreeEqualToTheInMemoryOne() throws Exception {
        MerkleTree tree = new MerkleTree();
        Map<String, ItemState> items = TestItems.items(3_000);
        List<ItemChange> batch = new ArrayList<>();
        items.forEach((id, s) -> batch.add(new ItemChange(id, null, s)));
        store().store("ns", tree.applyAll(batch));

        List<ItemChange> edits = new ArrayList<>();
        for (int n = 0; n < 3_000; n += 3) {
            edits.add(new ItemChange(TestItems.id(n), items.get(TestItems.id(n)),
                    n % 2 == 0 ? null : state("edited" + n, n + 5L)));
        }
        store().store("ns", tree.applyAll(edits));

        assertThat(store().loadAll("ns")).isEqualTo(tree.nodes());
        assertThat(MerkleTree.fromNodes(store().loadAll("ns")).root()).isEqualTo(tree.root());
        assertThat(store().load("ns", tree.nodes().keySet())).isEqualTo(tree.nodes());
    }

    @Test
    void drillDownAgainstTheStoreFindsTheBucketsThatDiffer() throws Exception {
        Map<String, ItemState> items = TestItems.items(2_000);
        MerkleTree tree = MerkleTree.build(items);
        store().store("ns", tree.nodes());
        tree.apply(TestItems.id(5), items.get(TestItems.id(5)), state("moved", 9));
        tree.apply(TestItems.id(6), items.get(TestItems.id(6)), null);

        assertThat(Divergence.drillDown(store().source("ns"), tree))
                .containsExactlyInAnyOrder(MerklePath.bucketOf(TestItems.id(5)), MerklePath.bucketOf(TestItems.id(6)));
    }

    @Test
    void aRowWithAMalformedPathIsReportedNotReturned() throws Exception {
        plantRow("bad", "A3", new byte[32]);
        assertThatThrownBy(() -> store().loadAll("bad")).isInstanceOf(TierAccessException.class)
                .hasMessageContaining("path 'A3'").hasMessageContaining("not a lower-case hex digit");
    }

    protected void plantRow(String namespace, String path, byte[] digest) throws Exception {
        try (Connection c = dataSource().getConnection();
             PreparedStatement p = c.prepareStatement(
                     "INSERT INTO merkle_nodes (namespace, path, digest) VALUES (?, ?, ?)")) {
            p.setString(1, namespace);
            p.setString(2, path);
            p.setBytes(3, digest);
            p.executeUpdate();
        }
    }

    @Test
    void hostileArgumentsAreRefusedBeforeTouchingTheDatabase() {
        assertThatThrownBy(() -> store().store(null, Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("namespace");
        assertThatThrownBy(() -> store().loadAll("a\nb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> store().loadAll("n".repeat(513))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("over the limit");
        Map<MerklePath, Digest256> nullDigest = new HashMap<>();
        nullDigest.put(MerklePath.ROOT, null);
        assertThatThrownBy(() -> store().store("ns", nullDigest)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().load("ns", null)).isInstanceOf(IllegalArgumentException.class);
    }

    private long rowCount() throws Exception {
        try (Connection c = dataSource().getConnection();
             var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM merkle_nodes")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
