package io.tiercache.engine.internal;

import io.tiercache.engine.cuckoo.CuckooFilter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The false-positive rate of the engine's existence filter (16-bit fingerprints, sized by a rebuild) at the two loads
 * it runs between: 1 / HEADROOM right after a rebuild and MAX_LOAD, where the next rebuild starts. Same measurement
 * as {@code CuckooFalsePositiveRateTest}: FPR ≈ 8 · load / (2^16 - 1), asserted below that plus 50% for sampling
 * noise (a few dozen expected hits per million probes).
 */
class CuckooExistenceFilterRateTest {
    private static final int ROWS = 200_000;
    private static final int PROBES = 1_000_000;

    @Test
    void rightAfterARebuild() {
        measure(1 / ExistenceFilter.HEADROOM);
    }

    @Test
    void atTheLoadThatStartsTheNextRebuild() {
        measure(ExistenceFilter.MAX_LOAD);
    }

    private static void measure(double load) {
        CuckooFilter filter = ExistenceFilter.sizedFor(ROWS);
        int members = (int) (filter.capacity() * load);
        for (int n = 0; n < members; n++) {
            ExistenceFilter.addIfAbsent(filter, "present/" + n);
        }
        for (int n = 0; n < members; n += 101) {
            assertThat(filter.definitelyMissing("present/" + n)).isFalse();
        }
        long falsePositives = 0;
        for (int n = 0; n < PROBES; n++) {
            if (filter.mightContain("absent/" + n)) {
                falsePositives++;
            }
        }
        double fpr = (double) falsePositives / PROBES;
        double theory = 2.0 * CuckooFilter.SLOTS_PER_BUCKET * filter.loadFactor() / ((1 << 16) - 1);
        System.out.printf("existence filter FPR at load %.3f (capacity %,d): %d in %,d probes = %.5f%% "
                        + "(theory %.5f%%)%n", filter.loadFactor(), filter.capacity(), falsePositives, PROBES,
                100 * fpr, 100 * theory);
        assertThat(filter.needsRebuild()).isFalse();
        assertThat(filter.loadFactor()).isBetween(load - 0.01, load + 0.001);
        assertThat(fpr).isLessThan(theory * 1.5 + 3.0 / PROBES);
    }
}
