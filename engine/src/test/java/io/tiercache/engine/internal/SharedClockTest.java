package io.tiercache.engine.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SharedClockTest {

    @Test
    void theSampleWithTheShortestRoundTripSetsTheOffset() {
        SharedClock clock = new SharedClock();
        clock.sample(12_000, 10_000, 10_002);
        assertThat(clock.offsetMillis()).isEqualTo(1_999);
        assertThat(clock.uncertaintyMillis()).isEqualTo(2);
        // delayed on the way back by 80 ms: its midpoint is 40 ms off, and it must not be believed
        clock.sample(12_100, 10_100, 10_180);
        assertThat(clock.offsetMillis()).isEqualTo(1_999);
        clock.sample(12_200, 10_200, 10_200);
        assertThat(clock.offsetMillis()).isEqualTo(2_000);
        assertThat(clock.uncertaintyMillis()).isEqualTo(1);
    }

    @Test
    void anOldBestSampleLeavesTheWindow() {
        SharedClock clock = new SharedClock();
        clock.sample(5_000, 1_000, 1_000);
        for (int i = 1; i <= SharedClock.WINDOW; i++) {
            clock.sample(7_000 + i * 10, 3_000 + i * 10, 3_000 + i * 10 + 4);
        }
        assertThat(clock.offsetMillis()).isEqualTo(3_998);
        assertThat(clock.uncertaintyMillis()).isEqualTo(3);
    }

    @Test
    void beforeAnySampleTheOffsetIsZeroAndNothingIsCertain() {
        SharedClock clock = new SharedClock();
        assertThat(clock.offsetMillis()).isZero();
        assertThat(clock.uncertaintyMillis()).isGreaterThan(1_000_000L);
    }
}
