package io.tiercache.engine.crash;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 in the middle of a write storm: every write the child acknowledged at LOCAL_WAL or DURABLE is there, byte
 * for byte, when a new engine opens the same files (the WAL drains into L3 at start).
 */
class CrashIT {
    private static final int ACKS_BEFORE_KILL = 2_000;

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"LOCAL_WAL", "DURABLE"})
    void everyAcknowledgedWriteSurvivesKillDashNine(Durability durability) throws Exception {
        List<String> acknowledged = new ArrayList<>();
        Process child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), dataDir.toString(), durability.name())
                .redirectError(dataDir.resolve("child.err").toFile())
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while (acknowledged.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acknowledged.add(line.substring(4));
                }
            }
            // SIGKILL: no shutdown hook, no flush, no WAL close.
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(acknowledged).as("child stderr in %s", dataDir.resolve("child.err"))
                .hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

        try (SyncEngine engine = SyncEngine.start(SyncEngineConfig.builder().dataDir(dataDir).build())) {
            Map<String, SyncItem> found = engine.getMany(acknowledged);
            List<String> lost = acknowledged.stream().filter(id -> !found.containsKey(id)).toList();
            assertThat(lost).as("acknowledged but lost").isEmpty();
            for (String id : acknowledged) {
                int n = Integer.parseInt(id.substring("crash/".length()));
                assertThat(found.get(id).payload()).as(id).isEqualTo(CrashWriter.payloadOf(n));
            }
            assertThat(engine.healthCheck().walDepth()).as("the WAL drained into L3 at start").isZero();
            if (durability == Durability.LOCAL_WAL) {
                assertThat(engine.stats().itemsDrained()).as("the kill left writes only the WAL held").isPositive();
            }
            engine.clearL1();
            for (String id : acknowledged) {
                assertThat(engine.getVerified(id)).as("%s in L3", id).isPresent();
            }
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
