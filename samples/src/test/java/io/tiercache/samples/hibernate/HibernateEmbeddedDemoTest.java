package io.tiercache.samples.hibernate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./scripts/sample.sh hibernate} runs this sample; this keeps what it prints true. */
class HibernateEmbeddedDemoTest {

    @Test
    void the_second_round_is_served_by_the_caches_and_the_third_by_sqlite(@TempDir Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new HibernateEmbeddedDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir).run();
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertThat(output)
                .contains("find Book#1 -> \"A Wizard of Earthsea\" (Ursula K. Le Guin, 1968)")
                .contains("query books by Ursula K. Le Guin -> 2 books")
                // the query loads its 2 books with SQL too: it runs in a session of its own
                .contains("round 1 (cold cache)     SQL: 5 entity loads, 1 queries | second-level: 0 hits, "
                        + "3 misses, 3 puts | query cache: 0 hits, 1 misses")
                .contains("round 2 (warm cache)     SQL: 0 entity loads, 0 queries | second-level: 3 hits, "
                        + "0 misses, 0 puts | query cache: 1 hits, 0 misses")
                .contains("round 3 (L1 dropped)     SQL: 0 entity loads, 0 queries | second-level: 3 hits, "
                        + "0 misses, 0 puts | query cache: 1 hits, 0 misses")
                // 3 books, the query's result and the books table's update timestamp
                .contains("round 3 was served by: L1 0 reads, L3 (SQLite) 5 reads, 0 misses")
                .contains("after an update of #3    SQL: 2 entity loads, 1 queries | second-level: 1 hits, 0 misses, "
                        + "0 puts | query cache: 0 hits, 1 misses")
                .contains("-> \"Kindred (2nd ed.)\" (Octavia E. Butler, 1979)")
                .containsPattern("  default-query-results-region +2 +2 +2 +1\\R")
                .containsPattern("  Book +8 +3 +7 +3\\R");
    }
}
