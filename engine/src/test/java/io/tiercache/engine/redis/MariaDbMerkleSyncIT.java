package io.tiercache.engine.redis;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.sql.MariaDbDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link MerkleSyncIT} with L3 on the shared MariaDB, in a throwaway database. */
class MariaDbMerkleSyncIT extends MerkleSyncIT {
    private MariaDbDatabase database;

    @BeforeEach
    void createDatabase() throws Exception {
        database = new MariaDbDatabase();
    }

    @AfterEach
    void dropDatabase() throws Exception {
        database.close();
    }

    @Override
    SyncEngineConfig.Builder withL3(SyncEngineConfig.Builder builder) {
        return builder.sqlUrl(database.jdbcUrl()).sqlUsername(database.username());
    }
}
