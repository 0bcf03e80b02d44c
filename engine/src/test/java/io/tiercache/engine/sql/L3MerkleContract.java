package io.tiercache.engine.sql;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerkleNamespaces;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.MerkleTree;
import io.tiercache.engine.merkle.SqlMerkleStore;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

import static io.tiercache.engine.merkle.BucketSetCodecTest.bits;
import static io.tiercache.engine.merkle.BucketSetCodecTest.withTag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * L3 keeps its merkle trees in step with its rows, whatever the batches do: after random upserts (older versions
 * skipped by the guard), deletes, repeated ids in one batch, expiry purges and parallel transactions, the stored
 * trees equal trees rebuilt from scratch over the rows. SQLite and MariaDB subclass it.
 */
public abstract class L3MerkleContract {
    protected SqlTier tier;

    protected abstract SqlTier openTier() throws Exception;

    protected abstract Connection connect() throws SQLException;

    @BeforeEach
    void open() throws Exception {
        tier = openTier();
        tier.enableMerkle();
    }

    @AfterEach
    void closeTier() {
        tier.close();
    }

    @Test
    void randomBatchesLeaveTheStoredTreesEqualToTreesRebuiltFromTheRows() throws Exception {
        Random random = new Random(42);
        long now = 1_000_000;
        for (int round = 0; round < 40; round++) {
            List<TierWrite> batch = new ArrayList<>();
            int size = 1 + random.nextInt(60);
            for (int i = 0; i < size; i++) {
                String id = (random.nextInt(4) == 0 ? "" : "ns" + random.nextInt(3) + "/") + "k" + random.nextInt(80);
                long version = 1 + random.nextInt(50);
                if (random.nextInt(4) == 0) {
                    batch.add(new TierWrite.Delete(id, version));
                } else {
                    long expiresAt = random.nextInt(5) == 0 ? now + random.nextInt(20) : SyncItem.NO_EXPIRY;
                    batch.add(new TierWrite.Upsert(SyncItem.create(id, ("p" + random.nextInt(3))
                            .getBytes(StandardCharsets.UTF_8), version, "default", expiresAt, now)));
                }
            }
            tier.apply(batch);
            if (round % 7 == 6) {
                now += 10;
                tier.purgeExpired(now);
            }
            assertTreesMatchRows("round " + round);
        }
    }

    @Test
    void aWriteTheVersionGuardSkipsDoesNotMoveTheTree() throws Exception {
        SyncItem v5 = SyncItem.create("ns/a", "new".getBytes(StandardCharsets.UTF_8), 5, "default",
                SyncItem.NO_EXPIRY, 0);
        tier.apply(List.of(new TierWrite.Upsert(v5)));
        Digest256 root = root("ns/");
        tier.apply(List.of(new TierWrite.Upsert(SyncItem.create("ns/a", "old".getBytes(StandardCharsets.UTF_8), 3,
                "default", SyncItem.NO_EXPIRY, 0)), new TierWrite.Delete("ns/a", 4)));
        assertThat(root("ns/")).isEqualTo(root).isEqualTo(MerkleTree.build(Map.of("ns/a", ItemState.of(v5))).root());
        tier.apply(List.of(new TierWrite.Delete("ns/a", 6)));
        assertThat(root("ns/")).isEqualTo(Digest256.ZERO);
        assertTreesMatchRows("after delete");
    }

    @Test
    void aCorruptNodeRowDoesNotStopWritesAndIsOverwritten() throws Exception {
        tier.apply(List.of(new TierWrite.Upsert(SyncItem.create("ns/a", new byte[]{1}, 1, "default",
                SyncItem.NO_EXPIRY, 0))));
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE merkle_nodes SET digest = X'0102' WHERE path = ''");
        }
        tier.apply(List.of(new TierWrite.Upsert(SyncItem.create("ns/b", new byte[]{2}, 1, "default",
                SyncItem.NO_EXPIRY, 0))));
        assertTreesMatchRows("after the corrupt root was overwritten");
    }

    @Test
    void rowsWrittenWithoutTreesAreFoundAtStartAndTheTreesRebuiltFromTheRows() throws Exception {
        List<TierWrite> writes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            writes.add(new TierWrite.Upsert(SyncItem.create((i % 2 == 0 ? "ns0/" : "") + "r" + i,
                    new byte[]{(byte) i}, 1, "default", SyncItem.NO_EXPIRY, 0)));
        }
        tier.apply(writes);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            // What an engine with merkleCalcEnabled=false, or a build before trees, leaves behind.
            s.executeUpdate("UPDATE sync_items SET bucket = NULL WHERE id LIKE 'ns0/%'");
            s.executeUpdate("DELETE FROM merkle_nodes");
        }
        tier.enableMerkle();
        assertTreesMatchRows("after the rebuild at start");
    }

    @Test
    void notesKeepTheirBucketsThroughTheTableInBothFormats() throws Exception {
        SqlMerkleStore store = store();
        BitSet large = new BitSet();
        for (int b = 0; b < MerklePath.LEAF_COUNT; b += 3) {
            large.set(b);
        }
        large.set(MerklePath.LEAF_COUNT - 1);
        try (Connection c = connect()) {
            store.markDirty(c, Map.of("ns0/", bits(0, 4242, 65535), "ns1/", large), 11L);
            store.markDirty(c, Map.of("ns0/", bits(7)), 12L);
            SqlMerkleStore.Notes small = store.dirtyNotes(c, "ns0/");
            assertThat(small.buckets()).isEqualTo(bits(0, 7, 4242, 65535));
            assertThat(small.stamps()).containsExactlyInAnyOrder(11L, 12L);
            assertThat(store.dirtyNotes(c, "ns1/").buckets()).isEqualTo(large);
            assertThat(noteLengths(c, "ns0/")).containsExactlyInAnyOrder(7, 3);
            assertThat(noteLengths(c, "ns1/")).containsExactly(1 + MerklePath.LEAF_COUNT / 8);
            store.clearNotes(c, "ns0/", List.of(11L));
            assertThat(store.dirtyNotes(c, "ns0/").stamps()).containsExactly(12L);
        }
    }

    /** Blobs no build writes: each must have the namespace rebuilt from its rows, never be skipped or thrown. */
    static List<Arguments> corruptNotes() {
        return List.of(
                Arguments.of(Named.of("empty", new byte[0])),
                Arguments.of(Named.of("unknown tag", new byte[]{2, 0, 1})),
                Arguments.of(Named.of("list of odd length", new byte[]{0, 0, 1, 2})),
                Arguments.of(Named.of("list not sorted", new byte[]{0, 0, 5, 0, 3})),
                Arguments.of(Named.of("list with a repeat", new byte[]{0, 0, 5, 0, 5})),
                Arguments.of(Named.of("bitmap too short", withTag(1, 8_191))),
                Arguments.of(Named.of("bitmap too long", withTag(1, 8_193))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptNotes")
    void aNoteThatDoesNotDecodeHasItsNamespaceRebuiltFromTheRowsAndIsRemoved(byte[] blob) throws Exception {
        List<TierWrite> writes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            writes.add(upsert("ns/k" + i, i));
        }
        tier.apply(writes);
        tier.merkle().settleTree("ns/");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            // A row changed behind the engine's back, in a bucket no readable note names: only a rebuild of the
            // whole namespace from its rows brings its leaf back in line.
            s.executeUpdate("UPDATE sync_items SET version = version + 100 WHERE id = 'ns/k3'");
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO merkle_notes (namespace, stamp, buckets) VALUES ('ns/', 42, ?)")) {
                p.setBytes(1, blob);
                p.executeUpdate();
            }
        }
        tier.apply(List.of(upsert("ns/later", 1)));
        assertTreesMatchRows("after settling a corrupt note");
        try (Connection c = connect()) {
            assertThat(noteLengths(c, "ns/")).as("notes left").isEmpty();
        }
    }

    /**
     * A database an earlier build used holds {@code merkle_dirty}, a note per namespace and bucket: starting moves
     * them into one note per namespace (a bucket outside the tree noting all of them) and drops the table.
     */
    @Test
    void theOldPerBucketNotesAreMovedAtStartAndSettled() throws Exception {
        List<TierWrite> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            writes.add(upsert("ns0/a" + i, 1));
            writes.add(upsert("ns1/b" + i, 1));
            writes.add(upsert("r" + i, 1));
        }
        tier.apply(writes);
        assertTreesMatchRows("before");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE sync_items SET version = 7 WHERE id IN ('ns0/a1', 'ns1/b2', 'r3')");
            s.execute(oldDirtyTableDdl());
            try (PreparedStatement p = c.prepareStatement("INSERT INTO merkle_dirty VALUES (?, ?, ?)")) {
                addOldNote(p, "ns0/", MerklePath.bucketOf("ns0/a1").index(), 5);
                addOldNote(p, "ns0/", MerklePath.bucketOf("ns0/a2").index(), 6);
                addOldNote(p, "ns1/", MerklePath.LEAF_COUNT + 9, 7);
                addOldNote(p, MerkleNamespaces.ROOT, MerklePath.bucketOf("r3").index(), 8);
                p.executeBatch();
            }
        }
        tier.enableMerkle();
        store().createSchema();
        try (Connection c = connect()) {
            assertThat(noteLengths(c, "ns0/")).containsExactly(5);
            assertThat(noteLengths(c, "ns1/")).containsExactly(1 + MerklePath.LEAF_COUNT / 8);
            assertThat(noteLengths(c, MerkleNamespaces.ROOT)).containsExactly(3);
            try (Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeQuery("SELECT 1 FROM merkle_dirty")).as("merkle_dirty dropped")
                        .isInstanceOf(SQLException.class);
            }
        }
        assertTreesMatchRows("after the move");
    }

    @Test
    void aNamespaceWrittenOftenKeepsFewNotesAndItsTreeFollows() throws Exception {
        int batches = 2 * L3Merkle.COMPACT_EVERY + 5;
        for (int i = 0; i < batches; i++) {
            tier.apply(List.of(upsert("ns2/k" + i, 1)));
            if (i == 3) {
                try (Connection c = connect(); Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO merkle_notes (namespace, stamp, buckets) VALUES ('ns2/', 42, X'02')");
                }
            }
        }
        try (Connection c = connect()) {
            // Merging leaves a note that does not decode alone, for the settle to rebuild the tree on.
            assertThat(noteLengths(c, "ns2/")).hasSizeLessThanOrEqualTo(L3Merkle.COMPACT_EVERY + 1).contains(1);
        }
        assertTreesMatchRows("after many small batches");
    }

    private SqlMerkleStore store() {
        return new SqlMerkleStore(dataSource(), SqlMerkleStore.Dialect.of(tier.dialect()));
    }

    /** The byte lengths of a namespace's notes. */
    private static List<Integer> noteLengths(Connection c, String namespace) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT buckets FROM merkle_notes WHERE namespace = ?")) {
            q.setString(1, namespace);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1).length);
                }
            }
        }
        return out;
    }

    private static void addOldNote(PreparedStatement p, String namespace, int bucket, long stamp)
            throws SQLException {
        p.setString(1, namespace);
        p.setInt(2, bucket);
        p.setLong(3, stamp);
        p.addBatch();
    }

    private static TierWrite upsert(String id, long version) {
        return new TierWrite.Upsert(SyncItem.create(id, id.getBytes(StandardCharsets.UTF_8), version, "default",
                SyncItem.NO_EXPIRY, 0));
    }

    private Digest256 root(String namespace) throws Exception {
        return tier.merkle().source(namespace).nodes(List.of(MerklePath.ROOT))
                .getOrDefault(MerklePath.ROOT, Digest256.ZERO);
    }

    private void assertTreesMatchRows(String when) throws Exception {
        Map<String, Map<String, ItemState>> rows = new TreeMap<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, version, content_hash, bucket FROM sync_items")) {
            while (rs.next()) {
                String id = rs.getString(1);
                rows.computeIfAbsent(MerkleNamespaces.of(id), ns -> new HashMap<>())
                        .put(id, new ItemState(rs.getString(3), rs.getLong(2)));
                assertThat(rs.getInt(4)).as("bucket of " + id).isEqualTo(MerklePath.bucketOf(id).index());
            }
        }
        SqlMerkleStore store = new SqlMerkleStore(dataSource(), SqlMerkleStore.Dialect.of(tier.dialect()));
        for (String namespace : List.of("ns0/", "ns1/", "ns2/", MerkleNamespaces.ROOT, "ns/")) {
            // Batches keep only the leaves current; what a reader of the tree gets is the settled tree.
            tier.merkle().settleTree(namespace);
            assertThat(store.isUnsettled(namespace)).as(when + ": " + namespace + " settled").isFalse();
            SortedMap<MerklePath, Digest256> stored = store.loadAll(namespace);
            MerkleTree rebuilt = MerkleTree.build(rows.getOrDefault(namespace, Map.of()));
            assertThat(stored).as(when + ": tree of " + namespace).isEqualTo(rebuilt.nodes());
        }
    }

    protected abstract javax.sql.DataSource dataSource();

    /** {@code merkle_dirty} as the builds before {@code merkle_notes} created it. */
    protected abstract String oldDirtyTableDdl();
}
