package io.tiercache.hibernate;

import io.tiercache.engine.nodes.NodeProcess;
import io.tiercache.engine.nodes.SharedNodes;
import io.tiercache.engine.nodes.SharedNodesExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two application nodes, each a JVM with its own SessionFactory, sharing the MariaDB application database and Redis
 * (issue #6, "correctness across nodes"); node B's clock runs 2 s behind node A's. Under READ_WRITE, once an update
 * committed on one node, the other never returns the old state from any tier, entity or query cache, even with
 * concurrent updaters and readers on both and node B paused (SIGSTOP) for a while mid-load.
 */
class TwoNodeHibernateIT {
    private static final Pattern STRESSED = Pattern.compile(
            "STRESSED updates=(\\d+) reads=(\\d+) stale=(\\d+) staleQueries=(\\d+) errors=(\\d+)");
    private static final int PEOPLE = 5;

    @TempDir
    Path dir;
    @RegisterExtension
    final SharedNodesExtension backends = new SharedNodesExtension();

    @Test
    void noNodeServesStateOlderThanACommittedUpdate() throws Exception {
        NodeProcess a = start("a", 0, true);
        for (int id = 1; id <= PEOPLE; id++) {
            assertThat(a.ask("CREATE " + id + " " + id + ":0")).isEqualTo("OK");
        }
        NodeProcess b = start("b", -2_000, false);

        for (int round = 1; round <= 40; round++) {
            NodeProcess writer = round % 2 == 0 ? a : b;
            NodeProcess reader = round % 2 == 0 ? b : a;
            assertThat(reader.ask("READ 1")).isEqualTo("VALUE 1:" + (round - 1));
            assertThat(reader.ask("QUERY 1:" + (round - 1))).isEqualTo("COUNT 1");
            assertThat(writer.ask("UPDATE 1 1:" + round)).isEqualTo("OK");
            assertThat(reader.ask("READ 1")).as("round %d, right after the commit", round)
                    .isEqualTo("VALUE 1:" + round);
            assertThat(reader.ask("QUERY 1:" + (round - 1))).as("round %d, cached query", round).isEqualTo("COUNT 0");
        }

        assertThat(a.ask("ROLLBACK 2 2:999")).isEqualTo("OK");
        assertThat(b.ask("READ 2")).isEqualTo("VALUE 2:0");
        long hits = hits(b);
        assertThat(b.ask("READ 2")).isEqualTo("VALUE 2:0");
        assertThat(hits(b)).as("no soft lock left behind by the rollback: the entry is cached again").isGreaterThan(hits);

        a.send("STRESS 6000 2 2 " + PEOPLE);
        b.send("STRESS 6000 2 2 " + PEOPLE);
        Thread.sleep(2_000);
        b.pause();
        Thread.sleep(1_500);
        b.resume();
        for (NodeProcess node : List.of(a, b)) {
            String name = node == a ? "a" : "b";
            Matcher result = STRESSED.matcher(node.next());
            assertThat(result.matches()).as(name + " reported").isTrue();
            System.out.printf("node %s: %s updates, %s reads, %s stale reads, %s stale query results%n", name,
                    result.group(1), result.group(2), result.group(3), result.group(4));
            assertThat(Long.parseLong(result.group(1))).as(name + " updates").isPositive();
            assertThat(Long.parseLong(result.group(2))).as(name + " reads").isPositive();
            assertThat(result.group(3)).as(name + " stale entity reads").isEqualTo("0");
            assertThat(result.group(4)).as(name + " stale query results").isEqualTo("0");
            assertThat(result.group(5)).as(name + " errors (see " + node.log() + ")").isEqualTo("0");
        }
    }

    private long hits(NodeProcess node) throws Exception {
        String answer = node.ask("HITS");
        return Long.parseLong(answer.substring("HITS ".length()));
    }

    private NodeProcess start(String name, long clockOffsetMs, boolean createSchema) throws Exception {
        SharedNodes shared = backends.nodes();
        return shared.start(HibernateNode.class, dir.resolve(name + ".log"), shared.redis().prefix(),
                shared.database().jdbcUrl(), dir.resolve(name).toString(), Long.toString(clockOffsetMs),
                Boolean.toString(createSchema));
    }
}
