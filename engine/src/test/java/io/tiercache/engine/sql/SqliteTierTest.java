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
     * SQLite rewrites overwritten rows in place while batches mostly overwrite; after a batch of new ids (where each
     * try misses) the next batch tries only a sample first, and one batch of overwrites brings the full try back.
     */
    @Test
    void batchesTryOverwritesInPlaceOnlyWhileMostOfABatchOverwrites() throws Exception {
        SqlTier sql = (SqlTier) tier;
        assertThat(sql.triesInPlaceNext()).isTrue();
        for (int batch = 0; batch < 5; batch++) {
            apply(batch, 1);
            assertThat(sql.triesInPlaceNext()).as("after batch %d of new rows", batch).isFalse();
        }
        apply(0, 2);
        assertThat(sql.triesInPlaceNext()).as("after a batch of overwrites").isTrue();
        apply(1, 2);
        assertThat(sql.triesInPlaceNext()).isTrue();
        assertThat(tier.get("batch/0/77").orElseThrow().version()).isEqualTo(2);
        assertThat(tier.get("batch/4/77").orElseThrow().version()).isEqualTo(1);
        assertThat(tier.size()).isEqualTo(500);
    }

    private void apply(int batch, long version) throws Exception {
        List<TierWrite> writes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            writes.add(new TierWrite.Upsert(item("batch/" + batch + "/" + i, version)));
        }
        tier.apply(writes);
    }
}
