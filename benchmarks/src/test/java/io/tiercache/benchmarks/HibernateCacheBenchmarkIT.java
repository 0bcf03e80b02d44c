package io.tiercache.benchmarks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@link HibernateCacheBenchmark} from rotting: each side starts as the benchmark starts it (on a few rows),
 * serves the benchmark's {@code find}, and serves it from where the benchmark says: a row deleted behind
 * Hibernate's back is gone on the database side and still found on every cache side. No timing is checked.
 * Needs MariaDB and Redis on 127.0.0.1, like the benchmark ({@code scripts/services.sh}).
 */
class HibernateCacheBenchmarkIT {
    static final java.util.List<String> SIDES = HibernateSide.SIDES;

    @ParameterizedTest
    @FieldSource("SIDES")
    void each_side_finds_a_customer_from_where_the_benchmark_says(String side) throws Exception {
        try (HibernateSide running = HibernateSide.start(side, 20)) {
            Customer found = running.find(7);
            assertThat(found).isNotNull();
            assertThat(found.getEmail()).isEqualTo("customer7@example.com");

            running.deleteRowBehindHibernate(7);

            Customer again = running.find(7);
            if (side.equals(HibernateSide.DATABASE)) {
                assertThat(again).as("no second-level cache: the load is a SELECT").isNull();
            } else {
                assertThat(again).as("a second-level cache hit").isNotNull();
                assertThat(again.getName()).isEqualTo("Customer number 7");
            }
            if (side.startsWith("tiercache")) {
                assertThat(running.tiercacheStats().l1Hits() + running.tiercacheStats().l2Hits()).isPositive();
            }
        }
    }
}
