package io.tiercache.hibernate.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpaceTimestampsTest {

    @Test
    void oneTransactionEndingDoesNotLowerAnotherOnesPreInvalidation() {
        SpaceTimestamps times = SpaceTimestamps.NONE
                .preInvalidated("tx-1", 1_000, 100)
                .preInvalidated("tx-2", 1_010, 105)
                .invalidated("tx-1", 120, 120);
        assertThat(times.lastUpdate(130)).as("tx-2 still runs").isEqualTo(1_010);
        times = times.invalidated("tx-2", 140, 140);
        assertThat(times.lastUpdate(150)).isEqualTo(140);
    }

    @Test
    void theInvalidationTimeNeverMovesBack() {
        SpaceTimestamps times = SpaceTimestamps.NONE.invalidated("tx-1", 500, 500).invalidated("tx-2", 450, 510);
        assertThat(times.lastUpdate(520)).isEqualTo(500);
    }

    @Test
    void aDeadTransactionsPreInvalidationLapsesAtItsTime() {
        SpaceTimestamps times = SpaceTimestamps.NONE.invalidated("tx-0", 50, 50).preInvalidated("crashed", 1_000, 100);
        assertThat(times.lastUpdate(999)).isEqualTo(1_000);
        assertThat(times.lastUpdate(1_000)).isEqualTo(50);
        assertThat(times.invalidated("tx-3", 1_200, 1_200).encode())
                .asString(StandardCharsets.UTF_8).isEqualTo("v1 1200");
    }

    @Test
    void anEmptySpaceHasNoLastUpdate() {
        assertThat(SpaceTimestamps.NONE.lastUpdate(10)).isNull();
    }

    @Test
    void encodedTimesDecodeToTheSameAndGarbageIsRefused() {
        SpaceTimestamps times = SpaceTimestamps.NONE.invalidated("a", 7, 7).preInvalidated("tx=b", 90, 8);
        SpaceTimestamps back = SpaceTimestamps.decode(times.encode());
        assertThat(back.lastUpdate(10)).isEqualTo(90);
        assertThat(back.invalidated("tx=b", 20, 20).lastUpdate(30)).isEqualTo(20);
        assertThatThrownBy(() -> SpaceTimestamps.decode("v1 x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpaceTimestamps.decode("{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpaceTimestamps.decode("v1 5 lonely".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
