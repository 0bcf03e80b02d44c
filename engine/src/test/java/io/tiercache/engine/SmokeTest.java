package io.tiercache.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void writesSurviveRestart() {
        SyncEngineConfig config = SyncEngineConfig.builder().dataDir(dir).build();
        try (SyncEngine engine = SyncEngine.start(config)) {
            engine.submit("a/1", "{\"x\":1}".getBytes(StandardCharsets.UTF_8)).join();
            engine.submit("a/2", new byte[]{1, 2, 3}).join();
            engine.forceFlush().join();
            assertThat(engine.get("a/1")).isPresent();
            assertThat(engine.countPrefix("a/")).isEqualTo(2);
        }
        try (SyncEngine engine = SyncEngine.start(config)) {
            assertThat(engine.get("a/1").orElseThrow().contentType()).isEqualTo(ContentType.JSON);
            assertThat(engine.get("a/2").orElseThrow().payload()).containsExactly(1, 2, 3);
            assertThat(engine.scanPrefix("a/", 10)).hasSize(2);
        }
    }
}
