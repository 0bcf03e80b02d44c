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
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

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
}
