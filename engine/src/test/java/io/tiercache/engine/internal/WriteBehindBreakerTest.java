package io.tiercache.engine.internal;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.sql.SqlTier;
import io.tiercache.engine.sql.SqlTiers;
import io.tiercache.engine.tier.TierWrite;
import io.tiercache.engine.wal.LocalWal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The flusher never keeps the half-open probe its L3 breaker granted without reporting how it went. */
class WriteBehindBreakerTest {
    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    /**
     * A read failure may open the breaker just as the drain applied the WAL's last entries: the next drain pass finds
     * the WAL empty. It must not leave the breaker half-open, or no flush or drain would ever be let through again.
     */
    @Test
    void aDrainThatFindsTheWalEmptyLeavesTheBreakerUsable() throws Exception {
        SyncEngineConfig config = SyncEngineConfig.builder().dataDir(dir).timeSource(now::get).build();
        try (LocalWal wal = LocalWal.open(dir.resolve("wal.db"));
             SqlTier l3 = SqlTiers.openSqlite(dir.resolve("l3.db"));
             MemoryTier l1 = new MemoryTier(1 << 20, now::get)) {
            SyncItem item = SyncItem.create("a/1", "{}".getBytes(StandardCharsets.UTF_8), 1, "default", SyncItem.NO_EXPIRY,
                    now.get());
            long seq = wal.append(new TierWrite.Upsert(item), EnumSet.of(Tier.L3)).get(10, TimeUnit.SECONDS);
            CircuitBreaker breaker = new CircuitBreaker("L3", now::get, 1, 100, 30_000);
            WriteBehind writeBehind = new WriteBehind(config, l3, wal, l1, breaker);
            assertThat(writeBehind.hasWalBacklog()).isTrue();
            // The entry reached L3 meanwhile, and a failed read opened the breaker.
            l3.apply(List.of(new TierWrite.Upsert(item)));
            wal.markApplied(seq);
            wal.commitApplied();
            breaker.recordFailure();
            now.addAndGet(200);

            writeBehind.drainWalNow();

            assertThat(writeBehind.hasWalBacklog()).isFalse();
            assertThat(breaker.allowsCall()).as("a probe is granted again (breaker %s)", breaker).isTrue();
        }
    }
}
