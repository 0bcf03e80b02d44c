package io.tiercache.engine.sql;

import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.ItemTierContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** L3 on an SQLite file passes the tier contract. */
class SqliteTierTest extends ItemTierContract {
    @TempDir
    Path dir;

    @Override
    protected ItemTier openTier(TimeSource time) throws Exception {
        return SqlTiers.openSqlite(dir.resolve("l3.db"));
    }
}
