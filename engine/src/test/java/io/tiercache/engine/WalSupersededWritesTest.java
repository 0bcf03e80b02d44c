package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A LOCAL_WAL write overtaken in its batch by a newer write of the same id leaves the WAL once L3 has the newer one. */
class WalSupersededWritesTest extends EngineTestSupport {

    @Test
    void aSupersededLocalWalWriteLeavesTheWalWithTheBatch() throws Exception {
        start(config().build());
        SubmitOptions walOptions = SubmitOptions.defaults().withDurability(Durability.LOCAL_WAL);
        for (int i = 0; i < 10; i++) {
            engine.submitWith("hot/1", bytes("{\"n\":" + i + "}"), walOptions).get(10, TimeUnit.SECONDS);
        }
        engine.submitWith("cold/1", bytes("{}"), walOptions).get(10, TimeUnit.SECONDS);
        engine.forceFlush().get(10, TimeUnit.SECONDS);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (engine.stats().walDepth() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(engine.stats().walDepth()).as("WAL entries left once L3 holds every write").isZero();
        engine.clearL1();
        assertThat(text(engine.get("hot/1").orElseThrow())).isEqualTo("{\"n\":9}");
    }
}
