package io.tiercache.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class SyncEngineConfigTest {
    private static final long MIB = 1L << 20;

    @Test
    void everyDefaultIsTheDocumentedSeedDefault() {
        SyncEngineConfig c = SyncEngineConfig.builder().build();
        assertThat(c.l1MaxBytes()).isEqualTo(256 * MIB);
        assertThat(c.maxPayloadBytes()).isEqualTo(16 * MIB);
        assertThat(c.batchFlushMs()).isEqualTo(100);
        assertThat(c.batchFlushCount()).isEqualTo(1000);
        assertThat(c.batchFlushBytes()).isEqualTo(MIB);
        assertThat(c.backpressureWarn()).isEqualTo(0.7);
        assertThat(c.backpressureCritical()).isEqualTo(0.9);
        assertThat(c.walMaxItems()).isEqualTo(1_000_000);
        assertThat(c.walDrainBatchSize()).isEqualTo(100);
        assertThat(c.cuckooWarmupBatchSize()).isEqualTo(10_000);
        assertThat(c.cfSnapshotIntervalSecs()).isEqualTo(30);
        assertThat(c.cfSnapshotInsertThreshold()).isEqualTo(10_000);
        assertThat(c.redisEvictionEnabled()).isTrue();
        assertThat(c.redisEvictionStart()).isEqualTo(0.75);
        assertThat(c.redisEvictionTarget()).isEqualTo(0.60);
        assertThat(c.merkleCalcEnabled()).isTrue();
        assertThat(c.merkleCalcJitterMs()).isZero();
        assertThat(c.merkleSyncIntervalMs()).isEqualTo(600_000);
        assertThat(c.enableCdcStream()).isFalse();
        assertThat(c.cdcStreamMaxlen()).isEqualTo(100_000);
        assertThat(c.redisTimeoutMs()).isEqualTo(5000);
        assertThat(c.redisResponseTimeoutMs()).isEqualTo(5000);
        assertThat(c.sqlWriteConcurrency()).isEqualTo(4);
        assertThat(c.sqlEnabled()).isTrue();
        assertThat(c.redisUrl()).isNull();
        assertThat(c.redisPrefix()).isEqualTo("tc:");
        assertThat(c.defaultDurability()).isEqualTo(Durability.MEMORY);
        assertThat(c.sqlRetryBackoffMs()).isEqualTo(500);
        assertThat(c.sqlLockTimeoutMs()).isEqualTo(10_000);
        assertThat(c.dataDir()).isEqualTo(Path.of("tiercache-data"));
        assertThat(c.walPath()).isEqualTo(Path.of("tiercache-data", "wal.db"));
        assertThat(c.sqlUrl()).isEqualTo("jdbc:sqlite:" + Path.of("tiercache-data", "l3.db"));
    }

    @Test
    void pathsFollowTheDataDir() {
        SyncEngineConfig c = SyncEngineConfig.builder().dataDir(Path.of("/x/y")).build();
        assertThat(c.walPath()).isEqualTo(Path.of("/x/y/wal.db"));
        assertThat(c.sqlUrl()).isEqualTo("jdbc:sqlite:/x/y/l3.db");
    }

    @Test
    void toBuilderKeepsEverySetting() {
        SyncEngineConfig c = SyncEngineConfig.builder().l1MaxBytes(MIB).batchFlushCount(7).batchFlushBytes(1000)
                .defaultDurability(Durability.LOCAL_WAL).redisPrefix("p:").sqlRetryBackoffMs(9).sqlLockTimeoutMs(8).build();
        SyncEngineConfig copy = c.toBuilder().build();
        assertThat(copy.l1MaxBytes()).isEqualTo(MIB);
        assertThat(copy.batchFlushCount()).isEqualTo(7);
        assertThat(copy.batchFlushBytes()).isEqualTo(1000);
        assertThat(copy.defaultDurability()).isEqualTo(Durability.LOCAL_WAL);
        assertThat(copy.redisPrefix()).isEqualTo("p:");
        assertThat(copy.sqlRetryBackoffMs()).isEqualTo(9);
        assertThat(copy.sqlLockTimeoutMs()).isEqualTo(8);
        assertThat(copy.toString()).isEqualTo(c.toString());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("l1MaxBytes", b -> b.l1MaxBytes(1000)),
                bad("maxPayloadBytes", b -> b.maxPayloadBytes(0)),
                bad("batchFlushMs", b -> b.batchFlushMs(0)),
                bad("batchFlushMs", b -> b.batchFlushMs(3_600_001)),
                bad("batchFlushCount", b -> b.batchFlushCount(0)),
                bad("batchFlushBytes", b -> b.batchFlushBytes(0)),
                bad("batchFlushBytes", b -> b.l1MaxBytes(MIB).batchFlushBytes(2 * MIB)),
                bad("backpressureWarn", b -> b.backpressureWarn(0)),
                bad("backpressureWarn", b -> b.backpressureWarn(Double.NaN)),
                bad("backpressureCritical", b -> b.backpressureCritical(1.5)),
                bad("backpressureWarn", b -> b.backpressureWarn(0.9).backpressureCritical(0.8)),
                bad("walMaxItems", b -> b.walMaxItems(0)),
                bad("walDrainBatchSize", b -> b.walDrainBatchSize(0)),
                bad("cuckooWarmupBatchSize", b -> b.cuckooWarmupBatchSize(0)),
                bad("cfSnapshotIntervalSecs", b -> b.cfSnapshotIntervalSecs(0)),
                bad("cfSnapshotInsertThreshold", b -> b.cfSnapshotInsertThreshold(0)),
                bad("redisEvictionStart", b -> b.redisEvictionStart(-0.1)),
                bad("redisEvictionTarget", b -> b.redisEvictionTarget(2)),
                bad("redisEvictionTarget", b -> b.redisEvictionStart(0.5).redisEvictionTarget(0.6)),
                bad("merkleCalcJitterMs", b -> b.merkleCalcJitterMs(-1)),
                bad("merkleSyncIntervalMs", b -> b.merkleSyncIntervalMs(-1)),
                bad("cdcStreamMaxlen", b -> b.cdcStreamMaxlen(0)),
                bad("redisTimeoutMs", b -> b.redisTimeoutMs(0)),
                bad("redisResponseTimeoutMs", b -> b.redisResponseTimeoutMs(0)),
                bad("sqlWriteConcurrency", b -> b.sqlWriteConcurrency(0)),
                bad("sqlWriteConcurrency", b -> b.sqlWriteConcurrency(65)),
                bad("sqlRetryBackoffMs", b -> b.sqlRetryBackoffMs(0)),
                bad("sqlLockTimeoutMs", b -> b.sqlLockTimeoutMs(-1)),
                bad("redisUrl", b -> b.redisUrl("http://localhost")),
                bad("redisPrefix", b -> b.redisPrefix(null)),
                bad("redisPrefix", b -> b.redisPrefix("a\nb")),
                bad("sqlUrl", b -> b.sqlUrl("jdbc:postgresql://x/y")),
                bad("dataDir", b -> b.dataDir(null)),
                bad("defaultDurability", b -> b.defaultDurability(null)),
                bad("timeSource", b -> b.timeSource(null)),
                bad("defaultDurability", b -> b.sqlEnabled(false).defaultDurability(Durability.LOCAL_WAL)),
                bad("defaultDurability", b -> b.sqlEnabled(false).defaultDurability(Durability.DURABLE)));
    }

    private static Arguments bad(String setting, UnaryOperator<SyncEngineConfig.Builder> change) {
        return arguments(setting, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void aBadValueIsRefusedNamingTheSetting(String setting, UnaryOperator<SyncEngineConfig.Builder> change) {
        assertThatIllegalArgumentException().isThrownBy(() -> change.apply(SyncEngineConfig.builder()).build())
                .withMessageContaining(setting);
    }

    @Test
    void everyRedisDeploymentFormIsAccepted() {
        for (String url : new String[]{"redis://h:6379", "rediss://h:6380", "redis-sentinel://h:26379#m",
            "redis-cluster://h1:7000,h2:7001", "rediss-cluster://h1:7000,h2:7001"}) {
            assertThat(SyncEngineConfig.builder().redisUrl(url).build().redisUrl()).isEqualTo(url);
        }
    }

    @Test
    void aRefusedSqlUrlDoesNotEchoItsPassword() {
        assertThatIllegalArgumentException().isThrownBy(() -> SyncEngineConfig.builder()
                        .sqlUrl("jdbc:postgresql://db/x?user=a&password=hunter2").build())
                .withMessageNotContaining("hunter2");
    }

    @Test
    void toStringHidesThePassword() {
        SyncEngineConfig c = SyncEngineConfig.builder().sqlUrl("jdbc:mysql://db/x?password=hunter2").build();
        assertThat(c.toString()).doesNotContain("hunter2");
    }

    @Test
    void boundaryValuesAreAccepted() {
        SyncEngineConfig c = SyncEngineConfig.builder().l1MaxBytes(64 * 1024).batchFlushBytes(64 * 1024)
                .batchFlushMs(3_600_000).batchFlushCount(1_000_000).backpressureCritical(1.0).build();
        assertThat(c.batchFlushBytes()).isEqualTo(c.l1MaxBytes());
        assertThat(SyncEngineConfig.builder().sqlEnabled(false).build().defaultDurability())
                .isEqualTo(Durability.MEMORY);
    }
}
