package io.tiercache.engine.cuckoo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The false-positive rate at the load the filter is meant to run at. Theory (Fan et al.): a lookup compares against
 * 2b = 8 slots, each holding a matching fingerprint with probability about load / (2^f - 1), so
 * FPR ≈ 8 · load / (2^f - 1). The assertion allows the full-table value 2b / 2^f plus 10% for sampling noise
 * (the standard error at a million probes is about 2% of the rate).
 */
class CuckooFalsePositiveRateTest {
    private static final int CAPACITY = 1_000_000;
    private static final int PROBES = 1_000_000;

    @Test
    void twelveBitFingerprintsAtNinetyFivePercentLoad() {
        int bits = 12;
        CuckooFilter filter = CuckooFilter.create(CAPACITY, bits);
        int members = (int) (CAPACITY * 0.95);
        long start = System.nanoTime();
        for (int n = 0; n < members; n++) {
            assertThat(filter.add("present/" + n)).as("add #%d", n).isTrue();
        }
        long filled = System.nanoTime();
        for (int n = 0; n < members; n += 97) {
            assertThat(filter.mightContain("present/" + n)).isTrue();
        }
        long falsePositives = 0;
        for (int n = 0; n < PROBES; n++) {
            if (filter.mightContain("absent/" + n)) {
                falsePositives++;
            }
        }
        long probed = System.nanoTime();
        double fpr = (double) falsePositives / PROBES;
        double expected = 2.0 * CuckooFilter.SLOTS_PER_BUCKET * filter.loadFactor() / ((1 << bits) - 1);
        double bound = 2.0 * CuckooFilter.SLOTS_PER_BUCKET / (1 << bits) * 1.1;
        System.out.printf("cuckoo FPR: %d-bit fingerprints, capacity %,d, load %.3f: %d false positives in %,d "
                        + "probes = %.4f%% (theory %.4f%%, asserted < %.4f%%); fill %d ms, probes %d ms%n",
                bits, filter.capacity(), filter.loadFactor(), falsePositives, PROBES, 100 * fpr, 100 * expected,
                100 * bound, (filled - start) / 1_000_000, (probed - filled) / 1_000_000);
        assertThat(filter.needsRebuild()).isFalse();
        assertThat(fpr).isLessThan(bound);
    }

    @Test
    void sixteenBitFingerprintsStayBelowTheirBound() {
        int bits = 16;
        CuckooFilter filter = CuckooFilter.create(200_000, bits);
        int members = 180_000;
        for (int n = 0; n < members; n++) {
            assertThat(filter.add("present/" + n)).isTrue();
        }
        long falsePositives = 0;
        int probes = 500_000;
        for (int n = 0; n < probes; n++) {
            if (filter.mightContain("absent/" + n)) {
                falsePositives++;
            }
        }
        double fpr = (double) falsePositives / probes;
        System.out.printf("cuckoo FPR: 16-bit fingerprints, load %.3f: %d in %,d probes = %.4f%%%n",
                filter.loadFactor(), falsePositives, probes, 100 * fpr);
        assertThat(fpr).isLessThan(2.0 * CuckooFilter.SLOTS_PER_BUCKET / (1 << bits) * 1.5);
    }
}
