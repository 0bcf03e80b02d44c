package io.tiercache.engine.internal;

import io.tiercache.engine.internal.CircuitBreaker.State;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class CircuitBreakerTest {
    private final AtomicLong now = new AtomicLong(0);
    private final CircuitBreaker breaker = new CircuitBreaker("L3", now::get, 2, 100, 350);

    @Test
    void startsClosedAndAllowsCalls() {
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.allowsCall()).isTrue();
        assertThat(breaker.name()).isEqualTo("L3");
    }

    @Test
    void opensAfterTheThresholdOfConsecutiveFailures() {
        breaker.recordFailure();
        assertThat(breaker.allowsCall()).isTrue();
        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.allowsCall()).isFalse();
    }

    @Test
    void aSuccessResetsTheFailureCount() {
        breaker.recordFailure();
        breaker.recordSuccess();
        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void afterTheBackOffOneProbeIsLetThrough() {
        openIt();
        now.addAndGet(99);
        assertThat(breaker.allowsCall()).isFalse();
        now.addAndGet(1);
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertThat(breaker.allowsCall()).isTrue();
        assertThat(breaker.allowsCall()).as("only one probe while half-open").isFalse();
    }

    @Test
    void aSuccessfulProbeCloses() {
        openIt();
        now.addAndGet(100);
        assertThat(breaker.allowsCall()).isTrue();
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.allowsCall()).isTrue();
    }

    @Test
    void aFailedProbeReopensWithADoubledBackOffUpToTheMaximum() {
        openIt();
        now.addAndGet(100);
        assertThat(breaker.allowsCall()).isTrue();
        breaker.recordFailure();
        now.addAndGet(199);
        assertThat(breaker.allowsCall()).isFalse();
        now.addAndGet(1);
        assertThat(breaker.allowsCall()).isTrue();
        breaker.recordFailure();
        now.addAndGet(349);
        assertThat(breaker.allowsCall()).as("400 ms capped at 350").isFalse();
        now.addAndGet(1);
        assertThat(breaker.allowsCall()).isTrue();
        breaker.recordSuccess();
        openIt();
        now.addAndGet(100);
        assertThat(breaker.allowsCall()).as("a success resets the back-off").isTrue();
    }

    private void openIt() {
        breaker.recordFailure();
        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void anUnusedProbeIsGrantedAgainAtOnce() {
        breaker.recordFailure();
        breaker.recordFailure();
        now.addAndGet(100);
        assertThat(breaker.allowsCall()).isTrue();
        assertThat(breaker.allowsCall()).as("one probe at a time").isFalse();
        breaker.probeUnused();
        assertThat(breaker.allowsCall()).isTrue();
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }
}
