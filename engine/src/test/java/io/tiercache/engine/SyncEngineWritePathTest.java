package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Where writes go and when they are acknowledged: status, routing, durability, limits, warm-up and health. */
class SyncEngineWritePathTest extends EngineTestSupport {

    @Test
    void theFirstStartCreatesTheDataFolder() {
        start(config().dataDir(dataDir.resolve("not/yet/there")).build());
        engine.submitWith("first/1", bytes("x"), SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL)).join();
        assertThat(dataDir.resolve("not/yet/there/wal.db")).exists();
        assertThat(dataDir.resolve("not/yet/there/l3.db")).exists();
    }

    @Test
    void statusFollowsAWriteFromQueueToL3() {
        start(config().build());
        SyncItem item = engine.submit("st/1", bytes("x")).join();
        assertThat(engine.status("st/1")).isEqualTo(new ItemStatus.Pending(item.version()));
        engine.forceFlush().join();
        assertThat(engine.status("st/1")).isEqualTo(new ItemStatus.Synced(true, false, true));
        engine.clearL1();
        assertThat(engine.status("st/1")).isEqualTo(new ItemStatus.Synced(false, false, true));
        assertThat(engine.status("st/none")).isEqualTo(new ItemStatus.Missing());
    }

    @Test
    void anL1OnlyEngineNeverHasPendingWrites() {
        start(config().sqlEnabled(false).build());
        engine.submit("st/1", bytes("x")).join();
        assertThat(engine.status("st/1")).isEqualTo(new ItemStatus.Synced(true, false, false));
        engine.forceFlush().join();
        assertThat(engine.stats().l3Items()).isEqualTo(-1);
    }

    @Test
    void aCacheEntryStaysInMemoryWhenThereIsNoL2() throws Exception {
        start(config().build());
        engine.submitWith("c/1", bytes("x"), SubmitOptions.cache(Duration.ofMinutes(1))).join();
        engine.forceFlush().join();
        assertThat(engine.status("c/1")).isEqualTo(new ItemStatus.Synced(true, false, false));
        assertThat(l3Version("c/1")).isEqualTo(-1);
    }

    @Test
    void aWriteRoutedToNoConfiguredSharedTierCannotClaimDurability() {
        start(config().build());
        for (Durability durability : List.of(Durability.LOCAL_WAL, Durability.DURABLE)) {
            assertThatIllegalArgumentException().isThrownBy(() -> engine.submitWith("c/1", bytes("x"),
                            SubmitOptions.cache(Duration.ofMinutes(1)).withDurability(durability)))
                    .withMessageContaining(durability.name()).withMessageContaining("L2");
        }
        assertThat(engine.get("c/1")).as("a refused write leaves nothing behind").isEmpty();
        engine.submitWith("c/1", bytes("x"), SubmitOptions.cache(Duration.ofMinutes(1))
                .withDurability(Durability.MEMORY)).join();
        assertThat(engine.get("c/1")).isPresent();
    }

    @Test
    void forceFlushWritesEveryQueuedItemToL3() throws Exception {
        start(config().build());
        SyncItem a = engine.submitWith("f/1", bytes("a"), SubmitOptions.durable()).join();
        engine.submit("f/2", bytes("b")).join();
        assertThat(l3Version("f/1")).isEqualTo(-1);
        engine.forceFlush().join();
        assertThat(l3Version("f/1")).isEqualTo(a.version());
        assertThat(l3Version("f/2")).isPositive();
        assertThat(engine.stats().queuedWrites()).isZero();
    }

    @Test
    void aDurableWriteIsInL3WhenItsFutureCompletes() throws Exception {
        start(config().build());
        SyncItem item = engine.submitWith("dur/1", bytes("x"),
                SubmitOptions.defaults().withDurability(Durability.DURABLE)).join();
        assertThat(l3Version("dur/1")).isEqualTo(item.version());
        assertThat(engine.status("dur/1")).isEqualTo(new ItemStatus.Synced(true, false, true));
        assertThat(engine.delete("dur/1", Durability.DURABLE).join()).isTrue();
        assertThat(l3Version("dur/1")).isEqualTo(-1);
    }

    @Test
    void aLocalWalWriteIsAcknowledgedBeforeItReachesL3AndGetsThereLater() throws Exception {
        start(config().build());
        SyncItem item = engine.submitWith("wal/1", bytes("x"),
                SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL)).join();
        assertThat(engine.status("wal/1")).isInstanceOf(ItemStatus.Pending.class);
        engine.forceFlush().join();
        assertThat(l3Version("wal/1")).isEqualTo(item.version());
    }

    @Test
    void walEntriesOfOverwrittenWritesAreRemovedOnceL3HasTheNewest() throws Exception {
        start(config().build());
        SubmitOptions walWrite = SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL);
        for (int i = 0; i < 10; i++) {
            engine.submitWith("hot/1", bytes("v" + i), walWrite).join();
        }
        engine.submitWith("hot/2", bytes("wal"), walWrite).join();
        engine.submit("hot/2", bytes("memory")).join();
        assertThat(engine.healthCheck().walDepth()).isEqualTo(11);
        engine.forceFlush().join();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (engine.healthCheck().walDepth() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(engine.healthCheck().walDepth()).as("WAL entries L3 no longer needs").isZero();
    }

    @Test
    void theDefaultDurabilityAppliesToWritesThatAskForNone() throws Exception {
        start(config().defaultDurability(Durability.DURABLE).build());
        SyncItem item = engine.submit("dd/1", bytes("x")).join();
        assertThat(l3Version("dd/1")).isEqualTo(item.version());
    }

    @Test
    void durableLevelsWithoutL3AreRefused() {
        start(config().sqlEnabled(false).build());
        for (Durability durability : List.of(Durability.LOCAL_WAL, Durability.DURABLE)) {
            assertThatIllegalArgumentException().isThrownBy(() -> engine.submitWith("x/1", bytes("x"),
                            SubmitOptions.defaults().withDurability(durability)))
                    .withMessageContaining(durability.name()).withMessageContaining("sqlEnabled=false");
            assertThatIllegalArgumentException().isThrownBy(() -> engine.delete("x/1", durability))
                    .withMessageContaining("sqlEnabled=false");
        }
        assertThat(engine.get("x/1")).isEmpty();
    }

    @Test
    void anOversizedPayloadIsRefusedNamingIdAndLimit() {
        start(config().maxPayloadBytes(10).build());
        assertThatIllegalArgumentException().isThrownBy(() -> engine.submit("big/1", new byte[11]))
                .withMessageContaining("big/1").withMessageContaining("11 bytes").withMessageContaining("10");
        assertThat(engine.submit("big/ok", new byte[10]).join().payloadSize()).isEqualTo(10);
        Map<String, byte[]> batch = new LinkedHashMap<>();
        batch.put("big/a", new byte[1]);
        batch.put("big/b", new byte[11]);
        assertThatIllegalArgumentException().isThrownBy(() -> engine.submitMany(batch))
                .withMessageContaining("big/b");
        assertThat(engine.get("big/a")).as("a refused batch stores nothing").isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> engine.getOrInsertWith("big/c", () -> new byte[11]))
                .withMessageContaining("big/c");
    }

    @Test
    void aPayloadOfExactlyTheDefaultLimitSurvivesTheWalAndARestart() {
        start(config().build());
        byte[] big = new byte[16 << 20];
        new java.util.Random(7).nextBytes(big);
        engine.submitWith("big/16m", big, SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL)).join();
        restart();
        assertThat(engine.getVerified("big/16m").orElseThrow().payload()).isEqualTo(big);
    }

    @Test
    void setStateKeepsPayloadAndTtl() {
        start(config().build());
        engine.submitWith("tag/1", bytes("x"), SubmitOptions.defaults().withTtl(Duration.ofSeconds(10))).join();
        engine.setState("tag/1", "archived").join();
        engine.forceFlush().join();
        engine.clearL1();
        SyncItem tagged = engine.get("tag/1").orElseThrow();
        assertThat(tagged.state()).isEqualTo("archived");
        assertThat(text(tagged)).isEqualTo("x");
        advance(10_000);
        assertThat(engine.get("tag/1")).isEmpty();
        assertThat(engine.setState("tag/1", "again").join()).isFalse();
        assertThat(engine.getOrInsertWith("tag/1", () -> bytes("fresh")).state()).isEqualTo(SyncItem.DEFAULT_STATE);
    }

    @Test
    void aFailingComputeOrLoaderWritesNothingAndReleasesTheId() {
        start(config().build());
        engine.submit("cmp/1", bytes("kept")).join();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.compute("cmp/1", current -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.getOrInsertWith("cmp/2", () -> {
            throw new IllegalStateException("no loader");
        })).hasMessage("no loader");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            Thread other = new Thread(() -> engine.submit("cmp/1", bytes("other thread")).join());
            other.start();
            other.join();
        });
        assertThat(text(engine.get("cmp/1").orElseThrow())).isEqualTo("other thread");
        assertThat(engine.get("cmp/2")).isEmpty();
    }

    @Test
    void aNullPayloadIsRefusedNamingTheId() {
        start(config().build());
        assertThatIllegalArgumentException().isThrownBy(() -> engine.submit("null/1", null))
                .withMessageContaining("null/1").withMessageContaining("null");
        assertThatIllegalArgumentException().isThrownBy(() -> engine.getOrInsertWith("null/2", () -> null))
                .withMessageContaining("null/2");
    }

    @Test
    void badIdsAndLimitsAreRefused() {
        start(config().build());
        assertThatIllegalArgumentException().isThrownBy(() -> engine.submit("a\nb", bytes("x")))
                .withMessageContaining("control character");
        assertThatIllegalArgumentException().isThrownBy(() -> engine.get(""));
        assertThatIllegalArgumentException().isThrownBy(() -> engine.scanPrefix("a", 0))
                .withMessageContaining("limit");
        assertThatIllegalArgumentException().isThrownBy(() -> engine.getByState("", 10));
    }

    @Test
    void warmUpLoadsL3IntoMemory() {
        start(config().build());
        for (int i = 0; i < 30; i++) {
            engine.submit("warm/" + i, bytes("v" + i)).join();
        }
        engine.submit("cold/1", bytes("c")).join();
        restart();
        assertThat(engine.status("warm/1")).isEqualTo(new ItemStatus.Synced(false, false, true));
        assertThat(engine.warmUp("warm/")).isEqualTo(30);
        assertThat(engine.status("warm/1")).isEqualTo(new ItemStatus.Synced(true, false, true));
        assertThat(engine.status("cold/1")).isEqualTo(new ItemStatus.Synced(false, false, true));
        assertThat(engine.stats().l1Items()).isEqualTo(30);
    }

    @Test
    void aHealthyEngineReportsItsTiers() {
        start(config().build());
        engine.submit("h/1", bytes("x")).join();
        HealthReport health = engine.healthCheck();
        assertThat(health.healthy()).isTrue();
        assertThat(health.state()).isEqualTo(EngineState.READY);
        assertThat(health.backends()).containsKeys(Tier.L1, Tier.L3);
        assertThat(health.backends().get(Tier.L3)).startsWith("ok");
        assertThat(health.breakers()).containsEntry(Tier.L3, "CLOSED");
        assertThat(health.pendingWrites()).isEqualTo(1);
        assertThat(health.walDepth()).isZero();
        assertThat(health.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
        assertThat(engine.memoryPressure()).isBetween(0.0, 0.01);
        assertThat(engine.pressure()).isEqualTo(PressureLevel.NORMAL);
        assertThat(engine.shouldAcceptWrites()).isTrue();
    }

    @Test
    void anL1OnlyEngineIsHealthyWithoutL3() {
        start(config().sqlEnabled(false).build());
        HealthReport health = engine.healthCheck();
        assertThat(health.healthy()).isTrue();
        assertThat(health.backends()).containsOnlyKeys(Tier.L1);
    }

    @Test
    void statisticsCountHitsAndMisses() {
        start(config().build());
        engine.submit("s/1", bytes("x")).join();
        engine.forceFlush().join();
        engine.get("s/1");
        engine.clearL1();
        engine.get("s/1");
        engine.get("s/none");
        EngineStats stats = engine.stats();
        assertThat(stats.l1Hits()).isEqualTo(1);
        assertThat(stats.l3Hits()).isEqualTo(1);
        assertThat(stats.misses()).isEqualTo(1);
        assertThat(stats.l3Items()).isEqualTo(1);
    }

    /** The version L3 holds for {@code id}, read behind the engine's back; -1 when there is no row. */
    private long l3Version(String id) throws Exception {
        try (Connection c = openL3(); PreparedStatement ps = c.prepareStatement(
                "SELECT version FROM sync_items WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
