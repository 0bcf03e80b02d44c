package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Unflushed writes cannot be evicted, so they are what fills memory. With a 64 KiB budget and flush triggers that never
 * fire on their own, writes pile up until CRITICAL pressure, where the engine refuses them instead of running out of
 * memory; a flush frees the budget again.
 */
class BackpressureTest extends EngineTestSupport {
    private static final long BUDGET = 64 * 1024;

    /** Refuses at once at CRITICAL (backpressureWaitMs 0), so the refusal itself is what these tests see. */
    private SyncEngine startSmall() {
        return start(config().l1MaxBytes(BUDGET).batchFlushBytes(BUDGET).backpressureWaitMs(0).build());
    }

    /** Submits 1 KB items until one is refused; returns the ids accepted. */
    private List<String> fillUntilRefused(List<PressureLevel> levelsSeen) {
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String id = "bp/" + i;
            levelsSeen.add(engine.pressure());
            try {
                engine.submit(id, new byte[1_000]).join();
                accepted.add(id);
            } catch (BackpressureException refused) {
                assertThat(refused).hasMessageContaining("backpressureCritical");
                return accepted;
            }
        }
        throw new AssertionError("1000 writes into a 64 KiB budget were never refused");
    }

    @Test
    void writesAreRefusedAtCriticalPressureAndAcceptedAgainAfterAFlush() {
        startSmall();
        List<PressureLevel> levels = new ArrayList<>();
        List<String> accepted = fillUntilRefused(levels);

        assertThat(accepted).hasSizeBetween(30, 64);
        assertThat(levels).startsWith(PressureLevel.NORMAL).contains(PressureLevel.WARN);
        assertThat(engine.memoryPressure()).isGreaterThanOrEqualTo(0.9);
        assertThat(engine.pressure()).isEqualTo(PressureLevel.CRITICAL);
        assertThat(engine.shouldAcceptWrites()).isFalse();
        assertThat(engine.healthCheck().healthy()).isFalse();
        assertThat(engine.healthCheck().pressureLevel()).isEqualTo(PressureLevel.CRITICAL);
        assertThatThrownBy(() -> engine.submitWith("bp/durable", new byte[1],
                SubmitOptions.defaults().withDurability(Durability.DURABLE))).isInstanceOf(BackpressureException.class);

        for (String id : accepted) {
            assertThat(engine.get(id)).as(id).isPresent();
        }

        engine.forceFlush().join();
        assertThat(engine.pressure()).isEqualTo(PressureLevel.NORMAL);
        assertThat(engine.memoryPressure()).isZero();
        assertThat(engine.shouldAcceptWrites()).isTrue();
        engine.submit("bp/after", new byte[1_000]).join();
        assertThat(engine.countPrefix("bp/")).isEqualTo(accepted.size() + 1);
    }

    @Test
    void withAWaitAllowedAWriteAtCriticalPressureMakesTheFlusherRunAndIsAccepted() {
        start(config().l1MaxBytes(BUDGET).batchFlushBytes(BUDGET).backpressureWaitMs(5_000).build());
        int i = 0;
        while (engine.pressure() != PressureLevel.CRITICAL) {
            engine.submit("bp/" + i++, new byte[1_000]).join();
        }
        engine.submit("bp/over", new byte[1_000]).join();
        assertThat(engine.pressure()).isNotEqualTo(PressureLevel.CRITICAL);
        assertThat(engine.countPrefix("bp/")).isEqualTo(i + 1);
    }

    @Test
    void readsKeepWorkingAtCriticalPressure() {
        startSmall();
        List<String> accepted = fillUntilRefused(new ArrayList<>());
        engine.clearL1();
        assertThat(engine.getMany(accepted)).hasSize(accepted.size());
        assertThat(engine.scanPrefix("bp/", 1_000)).hasSize(accepted.size());
    }

    @Test
    void cleanCachedItemsNeverCountAsPressure() {
        startSmall();
        for (int i = 0; i < 200; i++) {
            engine.submit("clean/" + i, new byte[1_000]).join();
            if (i % 20 == 19) {
                engine.forceFlush().join();
            }
        }
        engine.forceFlush().join();
        assertThat(engine.pressure()).isEqualTo(PressureLevel.NORMAL);
        assertThat(engine.stats().l1Bytes()).isLessThanOrEqualTo(BUDGET);
        assertThat(engine.countPrefix("clean/")).isEqualTo(200);
    }
}
