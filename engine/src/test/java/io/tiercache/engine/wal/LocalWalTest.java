package io.tiercache.engine.wal;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class LocalWalTest {
    private static final Set<Tier> L3 = EnumSet.of(Tier.L3);

    @TempDir
    Path dir;

    private static SyncItem item(String id, long version, byte[] payload) {
        return SyncItem.create(id, payload, version, "st", version * 10, version * 100);
    }

    @Test
    void appendedWritesReadBackInOrderWithEveryField() {
        try (LocalWal wal = LocalWal.open(dir.resolve("wal.db"))) {
            SyncItem json = item("w/1", 1, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
            SyncItem empty = item("w/2", 2, new byte[0]);
            long s1 = wal.append(new TierWrite.Upsert(json), L3).join();
            long s2 = wal.append(new TierWrite.Upsert(empty), EnumSet.of(Tier.L2, Tier.L3)).join();
            long s3 = wal.append(new TierWrite.Delete("w/1", 3), L3).join();
            assertThat(s1).isLessThan(s2);
            assertThat(s2).isLessThan(s3);
            assertThat(wal.depth()).isEqualTo(3);
            assertThat(wal.maxVersion()).isEqualTo(3);

            List<WalEntry> entries = wal.readAfter(0, 10);
            assertThat(entries).extracting(WalEntry::seq).containsExactly(s1, s2, s3);
            assertThat(((TierWrite.Upsert) entries.get(0).write()).item()).isEqualTo(json);
            assertThat(((TierWrite.Upsert) entries.get(1).write()).item()).isEqualTo(empty);
            assertThat(entries.get(1).sharedTiers()).containsExactlyInAnyOrder(Tier.L2, Tier.L3);
            assertThat(entries.get(2).write()).isEqualTo(new TierWrite.Delete("w/1", 3));
            assertThat(wal.readAfter(s1, 1)).extracting(WalEntry::seq).containsExactly(s2);
            assertThat(wal.latestFor("w/1").orElseThrow().write()).isInstanceOf(TierWrite.Delete.class);
            assertThat(wal.latestFor("w/none")).isEmpty();
        }
    }

    @Test
    void entriesSurviveAReopenUntilMarkedApplied() throws Exception {
        Path file = dir.resolve("wal.db");
        long seq;
        try (LocalWal wal = LocalWal.open(file)) {
            seq = wal.append(new TierWrite.Upsert(item("r/1", 1, new byte[]{1})), L3).join();
            wal.append(new TierWrite.Upsert(item("r/2", 2, new byte[]{2})), L3).join();
        }
        try (LocalWal wal = LocalWal.open(file)) {
            assertThat(wal.depth()).isEqualTo(2);
            wal.markApplied(seq);
            wal.append(new TierWrite.Upsert(item("r/3", 3, new byte[]{3})), L3).join();
            assertThat(wal.depth()).isEqualTo(2);
        }
        try (LocalWal wal = LocalWal.open(file)) {
            assertThat(wal.readAfter(0, 10)).extracting(entry -> entry.write().id()).containsExactly("r/2", "r/3");
        }
    }

    @Test
    void concurrentAppendsAreGroupCommittedAndAllAcknowledged() throws Exception {
        try (LocalWal wal = LocalWal.open(dir.resolve("wal.db"))) {
            List<CompletableFuture<Long>> seqs = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                seqs.add(wal.append(new TierWrite.Upsert(item("g/" + i, i + 1, new byte[]{(byte) i})), L3));
            }
            CompletableFuture.allOf(seqs.toArray(new CompletableFuture[0])).join();
            assertThat(seqs.stream().map(CompletableFuture::join).distinct()).hasSize(500);
            assertThat(wal.depth()).isEqualTo(500);
        }
    }

    @Test
    void anAppendAfterCloseFails() {
        LocalWal wal = LocalWal.open(dir.resolve("wal.db"));
        wal.close();
        assertThat(wal.append(new TierWrite.Delete("x", 1), L3)).isCompletedExceptionally();
    }
}
