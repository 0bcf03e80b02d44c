package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** What carries over a restart, and what a shutdown does to writes racing it. */
class SyncEngineRestartTest extends EngineTestSupport {

    @Test
    void aWriteAfterARestartWithTheClockSetBackStillWins() {
        start(config().build());
        engine.submit("clock/1", bytes("before")).join();
        engine.delete("clock/2").join();
        engine.submit("clock/3", bytes("before")).join();
        restart();
        advance(-Duration.ofHours(1).toMillis());
        engine.submit("clock/1", bytes("after")).join();
        engine.submit("clock/2", bytes("after")).join();
        engine.delete("clock/3").join();
        engine.forceFlush().join();
        engine.clearL1();
        assertThat(text(engine.get("clock/1").orElseThrow())).isEqualTo("after");
        assertThat(text(engine.get("clock/2").orElseThrow())).isEqualTo("after");
        assertThat(engine.get("clock/3")).isEmpty();
        restart();
        assertThat(text(engine.get("clock/1").orElseThrow())).isEqualTo("after");
        assertThat(engine.get("clock/3")).isEmpty();
    }

    @Test
    void versionsKeepIncreasingAcrossARestartWithTheClockSetBack() {
        start(config().build());
        long before = engine.submit("v/1", bytes("x")).join().version();
        restart();
        advance(-Duration.ofDays(1).toMillis());
        assertThat(engine.submit("v/2", bytes("y")).join().version()).isGreaterThan(before);
    }

    @Test
    void shutdownFlushesQueuedWritesToL3() {
        start(config().build());
        for (int i = 0; i < 100; i++) {
            engine.submit("q/" + i, bytes("v" + i)).join();
        }
        assertThat(engine.status("q/5")).isInstanceOf(ItemStatus.Pending.class);
        restart();
        assertThat(engine.countPrefix("q/")).isEqualTo(100);
        assertThat(engine.status("q/5")).isEqualTo(new ItemStatus.Synced(false, false, true));
    }

    @Test
    void writesRacingAShutdownEitherCompleteOrFailButNeverHang() {
        start(config().batchFlushMs(5).build());
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 10; round++) {
                List<CompletableFuture<?>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
                CountDownLatch writing = new CountDownLatch(4);
                List<Thread> writers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int writer = t;
                    Thread thread = new Thread(() -> {
                        writing.countDown();
                        for (int i = 0; ; i++) {
                            try {
                                Durability durability = Durability.values()[i % 3];
                                futures.add(engine.submitWith("race/" + writer + "/" + i, new byte[32 * 1024],
                                        SubmitOptions.defaults().withDurability(durability)));
                            } catch (IllegalStateException shutDown) {
                                return;
                            }
                        }
                    });
                    thread.start();
                    writers.add(thread);
                }
                writing.await();
                Thread.sleep(20);
                engine.shutdown();
                for (Thread thread : writers) {
                    thread.join();
                }
                for (CompletableFuture<?> future : futures) {
                    try {
                        future.get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException failed) {
                        assertThat(failed.getCause()).isInstanceOf(IllegalStateException.class);
                    }
                }
                start(engine.config());
            }
        });
    }
}
