package io.tiercache.engine.sql;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.ItemTierContract;
import org.junit.jupiter.api.AfterEach;

/** L3 on the local MariaDB passes the tier contract, in a database of its own per test. */
class MySqlTierIT extends ItemTierContract {
    private MariaDbDatabase database;

    @Override
    protected ItemTier openTier(TimeSource time) throws Exception {
        database = new MariaDbDatabase();
        return SqlTiers.open(SyncEngineConfig.builder().sqlUrl(database.jdbcUrl()).sqlUsername("root").build());
    }

    @AfterEach
    void dropDatabase() throws Exception {
        if (database != null) {
            database.close();
        }
    }
}
