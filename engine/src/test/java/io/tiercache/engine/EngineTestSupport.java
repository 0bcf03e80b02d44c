package io.tiercache.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An engine on a temporary data dir with a hand-moved clock. Flushing is left to the test: the batch triggers are set
 * so high that queued writes stay queued until {@code forceFlush()}, so "before" and "after" flush are both exact.
 */
public abstract class EngineTestSupport {
    protected static final long START_MILLIS = 1_700_000_000_000L;

    @TempDir
    protected Path dataDir;
    protected final AtomicLong clock = new AtomicLong(START_MILLIS);
    protected SyncEngine engine;

    /** Settings every engine here shares: our clock, our dir, and no automatic flush. */
    protected SyncEngineConfig.Builder config() {
        return SyncEngineConfig.builder()
                .dataDir(dataDir)
                .timeSource(clock::get)
                .batchFlushMs(3_600_000)
                .batchFlushCount(1_000_000);
    }

    protected SyncEngine start(SyncEngineConfig config) {
        engine = SyncEngine.start(config);
        return engine;
    }

    /** Shuts the engine down and starts a new one on the same files. */
    protected SyncEngine restart() {
        SyncEngineConfig config = engine.config();
        engine.shutdown();
        return start(config);
    }

    @AfterEach
    void shutDownEngine() {
        if (engine != null && engine.state() == EngineState.READY) {
            engine.shutdown();
        }
    }

    protected Connection openL3() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("l3.db"));
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(SyncItem item) {
        return new String(item.payload(), StandardCharsets.UTF_8);
    }

    protected void advance(long millis) {
        clock.addAndGet(millis);
    }
}
