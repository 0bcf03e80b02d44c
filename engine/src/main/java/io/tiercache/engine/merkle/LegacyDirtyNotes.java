package io.tiercache.engine.merkle;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * Moves the notes of builds before {@code merkle_notes} out of their table, {@code merkle_dirty(namespace, bucket,
 * stamp)} with a row per noted bucket, into one note per namespace holding the union of its buckets, then drops the
 * old table. Runs with every schema creation, possibly on several nodes at once: the notes are inserted and committed
 * before the table is dropped (MySQL commits DDL on its own anyway), so a crash in between leaves some notes twice,
 * which costs a settle nothing, and never loses one; a table that vanishes under the read was moved by another node.
 */
final class LegacyDirtyNotes {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LegacyDirtyNotes.class);

    private LegacyDirtyNotes() {
    }

    /** Moves and drops {@code merkle_dirty} if it exists, on {@code c} in auto-commit mode. */
    static void migrate(Connection c, SqlMerkleStore store, SqlMerkleStore.Dialect dialect) throws SQLException {
        if (!exists(c, dialect)) {
            return;
        }
        Map<String, BitSet> notes;
        try {
            notes = read(c);
        } catch (SQLException e) {
            if (!exists(c, dialect)) {
                return;
            }
            throw e;
        }
        SqlMerkleStore.transaction(c, tx -> store.markDirty(tx, notes, SqlMerkleStore.newStamp()));
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS merkle_dirty");
        }
        LOG.info("moved the merkle notes of {} namespace(s) from merkle_dirty to merkle_notes and dropped merkle_dirty",
                notes.size());
    }

    private static boolean exists(Connection c, SqlMerkleStore.Dialect dialect) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(dialect.legacyDirtyTableExists());
             ResultSet rs = q.executeQuery()) {
            return rs.next();
        }
    }

    /**
     * The old notes by namespace. A bucket outside the tree (a row written behind the engine's back) could stand for
     * any leaf, so its namespace is noted whole.
     */
    private static Map<String, BitSet> read(Connection c) throws SQLException {
        Map<String, BitSet> notes = new TreeMap<>();
        try (PreparedStatement q = c.prepareStatement("SELECT namespace, bucket FROM merkle_dirty");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String namespace = rs.getString(1);
                long bucket = rs.getLong(2);
                BitSet buckets = notes.computeIfAbsent(namespace, ns -> new BitSet(MerklePath.LEAF_COUNT));
                if (bucket >= 0 && bucket < MerklePath.LEAF_COUNT) {
                    buckets.set((int) bucket);
                } else {
                    LOG.warn("merkle_dirty row (namespace '{}') names bucket {}, outside 0..{}; every leaf of the "
                            + "namespace is recomputed from its rows", namespace, bucket, MerklePath.LEAF_COUNT - 1);
                    buckets.set(0, MerklePath.LEAF_COUNT);
                }
            }
        }
        return notes;
    }
}
