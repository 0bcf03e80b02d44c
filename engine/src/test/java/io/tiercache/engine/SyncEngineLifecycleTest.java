package io.tiercache.engine;

import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class SyncEngineLifecycleTest extends EngineTestSupport {

    @Test
    void aListenerSeesEveryTransitionInOrder() {
        SyncEngine created = SyncEngine.create(config().build());
        List<String> seen = new CopyOnWriteArrayList<>();
        created.addStateListener((from, to) -> seen.add(from + "->" + to));
        assertThat(created.state()).isEqualTo(EngineState.CREATED);
        created.start();
        assertThat(created.state()).isEqualTo(EngineState.READY);
        created.shutdown();
        assertThat(created.state()).isEqualTo(EngineState.STOPPED);
        assertThat(seen).containsExactly("CREATED->STARTING", "STARTING->READY", "READY->SHUTTING_DOWN",
                "SHUTTING_DOWN->STOPPED");
    }

    @Test
    void aFailingListenerDoesNotStopTheEngine() {
        SyncEngine created = SyncEngine.create(config().build());
        created.addStateListener((from, to) -> {
            throw new RuntimeException("listener bug");
        });
        created.start();
        assertThat(created.state()).isEqualTo(EngineState.READY);
        engine = created;
    }

    @Test
    void aStartThatCannotOpenL3FailsClearlyAndStops() throws Exception {
        java.nio.file.Files.createDirectories(dataDir.resolve("l3.db"));
        SyncEngine broken = SyncEngine.create(config().build());
        List<EngineState> states = new CopyOnWriteArrayList<>();
        broken.addStateListener((from, to) -> states.add(to));
        assertThatThrownBy(broken::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("l3.db");
        assertThat(broken.state()).isEqualTo(EngineState.STOPPED);
        assertThat(states).containsExactly(EngineState.STARTING, EngineState.STOPPED);
        assertThatThrownBy(() -> broken.get("x")).isInstanceOf(IllegalStateException.class);
        broken.close();
    }

    @Test
    void startingTwiceIsRefused() {
        start(config().build());
        assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("READY").hasMessageContaining("starts once");
    }

    @Test
    void restartingAStoppedEngineIsRefused() {
        start(config().build()).shutdown();
        assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("STOPPED");
    }

    @Test
    void shutdownWithoutStartIsRefused() {
        SyncEngine created = SyncEngine.create(config().build());
        assertThatThrownBy(created::shutdown).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never started");
        created.close();
        assertThat(created.state()).isEqualTo(EngineState.CREATED);
    }

    @Test
    void shutdownAndCloseAreIdempotent() {
        start(config().build());
        engine.shutdown();
        engine.shutdown();
        engine.close();
        assertThat(engine.state()).isEqualTo(EngineState.STOPPED);
    }

    @Test
    void everyOperationBeforeStartFailsClearly() {
        engine = SyncEngine.create(config().build());
        assertEveryOperationRefused("not started");
    }

    @Test
    void everyOperationAfterShutdownFailsClearlyAndNeverHangs() {
        start(config().build());
        engine.submit("x/1", bytes("v")).join();
        engine.shutdown();
        assertEveryOperationRefused("shut down");
    }

    @Test
    void anL1OnlyEngineRefusesOperationsAfterShutdownToo() {
        start(config().sqlEnabled(false).build());
        engine.shutdown();
        assertEveryOperationRefused("shut down");
    }

    @Test
    void probesStillAnswerAfterShutdown() {
        start(config().build());
        engine.shutdown();
        HealthReport health = engine.healthCheck();
        assertThat(health.healthy()).isFalse();
        assertThat(health.state()).isEqualTo(EngineState.STOPPED);
        assertThat(engine.shouldAcceptWrites()).isFalse();
    }

    private void assertEveryOperationRefused(String why) {
        Map<String, ThrowingCallable> operations = new java.util.LinkedHashMap<>();
        operations.put("submit", () -> engine.submit("x/1", bytes("v")));
        operations.put("submitWith", () -> engine.submitWith("x/1", bytes("v"), SubmitOptions.durable()));
        operations.put("submitMany", () -> engine.submitMany(Map.of("x/1", bytes("v"))));
        operations.put("get", () -> engine.get("x/1"));
        operations.put("getMany", () -> engine.getMany(List.of("x/1")));
        operations.put("getVerified", () -> engine.getVerified("x/1"));
        operations.put("getOrInsertWith", () -> engine.getOrInsertWith("x/1", () -> bytes("v")));
        operations.put("compute", () -> engine.compute("x/1", current -> Mutation.keep(1)));
        operations.put("delete", () -> engine.delete("x/1"));
        operations.put("deleteMany", () -> engine.deleteMany(List.of("x/1")));
        operations.put("contains", () -> engine.contains("x/1"));
        operations.put("status", () -> engine.status("x/1"));
        operations.put("isCurrent", () -> engine.isCurrent("x/1", "h"));
        operations.put("getByState", () -> engine.getByState("default", 10));
        operations.put("countByState", () -> engine.countByState("default"));
        operations.put("listStateIds", () -> engine.listStateIds("default", 10));
        operations.put("setState", () -> engine.setState("x/1", "s"));
        operations.put("deleteByState", () -> engine.deleteByState("default"));
        operations.put("scanPrefix", () -> engine.scanPrefix("x/", 10));
        operations.put("scanPrefixPage", () -> engine.scanPrefix("x/", "x/0", 10));
        operations.put("countPrefix", () -> engine.countPrefix("x/"));
        operations.put("deletePrefix", () -> engine.deletePrefix("x/"));
        operations.put("forceFlush", () -> engine.forceFlush());
        operations.put("warmUp", () -> engine.warmUp("x/"));
        operations.put("stats", () -> engine.stats());
        operations.put("clearL1", () -> engine.clearL1());
        operations.forEach((name, operation) -> assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(operation).as(name).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(why)));
    }
}
