package io.tiercache.engine.sql;

import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.ItemTierContract;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** L3 on an SQLite file passes the tier contract. */
class SqliteTierTest extends ItemTierContract {
    @TempDir
    Path dir;

    @Override
    protected ItemTier openTier(TimeSource time) throws Exception {
        return SqlTiers.openSqlite(dir.resolve("l3.db"));
    }

    /**
     * SQLite rewrites overwritten rows in place while batches mostly overwrite; a run of new ids (where each try
     * misses) sends batches straight to the upsert, and overwrites bring the in-place try back within a few batches.
     */
    @Test
    void batchesTryOverwritesInPlaceOnlyWhileMostOfABatchOverwrites() throws Exception {
        SqlTier sql = (SqlTier) tier;
        assertThat(sql.triesInPlaceNext()).isTrue();
        apply(0, 1);
        assertThat(sql.triesInPlaceNext()).as("after a batch of new rows").isFalse();
        for (int batch = 1; batch < 40; batch++) {
            apply(batch, 1);
        }
        assertThat(sql.triesInPlaceNext()).as("while new ids keep coming").isFalse();
        int batches = 0;
        for (long version = 2; !sql.triesInPlaceNext(); version++) {
            apply(0, version);
            batches++;
        }
        assertThat(batches).as("overwrite batches before trying in place again").isLessThanOrEqualTo(16);
        apply(0, 100);
        assertThat(sql.triesInPlaceNext()).isTrue();
        assertThat(tier.get("batch/0/7").orElseThrow().version()).isEqualTo(100);
    }

    private void apply(int batch, long version) throws Exception {
        List<TierWrite> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            writes.add(new TierWrite.Upsert(item("batch/" + batch + "/" + i, version)));
        }
        tier.apply(writes);
    }
}
