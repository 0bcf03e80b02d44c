package io.tiercache.samples.engine;

import io.tiercache.engine.SyncEngineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's first command runs this demo; this keeps what it prints true. */
class EngineDemoTest {

    @Test
    void demoWritesReadsRestartsAndFindsEverything(@TempDir Path dir) {
        String output = runDemo(dir);
        assertThat(output)
                .contains("wrote 3000 JSON users and 1000 binary blobs")
                .contains("pending (queued for write-behind)")
                .contains("synced (L1=true, L3=true)")
                .contains("states: {free=1000, pro=1000, enterprise=1000}")
                .contains("suspended=1 [demo/users/7]")
                .contains("deletePrefix demo/blobs/ removed 1000; now 0")
                .contains("health: healthy")
                .contains("after restart: 3000 users, demo/users/7 state=suspended, blobs=0")
                .contains("OK: everything written before the restart survived.");
    }

    @Test
    void secondRunCleansUpTheFirst(@TempDir Path dir) {
        runDemo(dir);
        assertThat(runDemo(dir))
                .contains("removed 3000 items left by a previous run")
                .contains("OK: everything written before the restart survived.");
    }

    private static String runDemo(Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new EngineDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                // Nothing flushes on its own, so the demo's "pending" line is deterministic.
                SyncEngineConfig.builder().dataDir(dir).batchFlushMs(600_000).batchFlushCount(1_000_000)
                        .batchFlushBytes(64L << 20).build()).run();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
