package io.tiercache.engine.internal;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.sql.L3MerkleView;
import io.tiercache.engine.sql.SqlTier;
import io.tiercache.engine.tier.TierAccessException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * What an existence filter snapshot is stamped with: 64 hex digits naming "this L3, holding these rows". At start a
 * snapshot is trusted only if L3's marker is still the one it was stamped with.
 *
 * <p>As DESIGN.md says, the stamp is L3's merkle root ({@link #of}: the roots of every namespace, which L3 keeps
 * with each batch); with merkle trees off, SHA-256 over {@link SqlTier#rowStatsMarker()} (row count, version sum,
 * highest version and updated_at) stands in. L3's identity is mixed in either way: two databases with equal content
 * have equal roots, and a snapshot of one must never be trusted for the other.
 */
@FunctionalInterface
public interface L3StateMarker {

    /** L3's marker now, 64 lower-case hex digits. */
    String current() throws TierAccessException;

    /**
     * DESIGN.md's stamp: L3's identity plus the merkle root of every namespace, read from the trees L3 maintains with
     * each batch (one small query per namespace); {@link #rowStats} while trees are off ({@code merkleCalcEnabled}).
     */
    static L3StateMarker of(SqlTier l3, SyncEngineConfig config) {
        String identity = identity(config);
        L3StateMarker rows = rowStats(l3, config);
        return () -> {
            L3MerkleView trees = l3.merkle();
            if (trees == null) {
                return rows.current();
            }
            StringBuilder roots = new StringBuilder(identity).append("\nmerkle roots");
            for (String namespace : new TreeSet<>(trees.namespaces())) {
                Digest256 root = trees.source(namespace).nodes(List.of(MerklePath.ROOT))
                        .getOrDefault(MerklePath.ROOT, Digest256.ZERO);
                roots.append('\n').append(namespace).append('=').append(root.toHex());
            }
            return sha256Hex(roots.toString());
        };
    }

    /** Identity plus row statistics, one table scan per call: the stamp while merkle trees are off. */
    static L3StateMarker rowStats(SqlTier l3, SyncEngineConfig config) {
        String identity = identity(config);
        return () -> sha256Hex(identity + "\n" + l3.rowStatsMarker());
    }

    /**
     * Which database L3 is: an SQLite file by its absolute path (a relative URL means another file from another
     * working directory), a server by its URL and user.
     */
    static String identity(SyncEngineConfig config) {
        String url = config.sqlUrl();
        if (url.startsWith("jdbc:sqlite:")) {
            return "sqlite:" + Path.of(url.substring("jdbc:sqlite:".length())).toAbsolutePath().normalize();
        }
        return url + " as " + config.sqlUsername();
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
