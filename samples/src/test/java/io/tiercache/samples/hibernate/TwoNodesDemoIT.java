package io.tiercache.samples.hibernate;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./scripts/sample.sh two-nodes} runs this sample against the machine's Redis and MariaDB (an integration test:
 * real servers and a second JVM). The Redis keys go under a prefix of this test's own and are deleted afterwards.
 */
class TwoNodesDemoIT {
    private final TwoNodeSettings settings = new TwoNodeSettings(TwoNodeSettings.local().redisUrl(),
            "tcit:sample:" + UUID.randomUUID() + ":", TwoNodeSettings.local().jdbcUrl(), "root");

    @AfterEach
    void deleteRedisKeys() {
        RedisClient client = RedisClient.create(settings.redisUrl());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(connection.sync(),
                    ScanArgs.Builder.matches(settings.redisPrefix() + "*").limit(500));
            while (keys.hasNext()) {
                connection.sync().unlink(keys.next());
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    @Test
    void node_b_reads_what_node_a_cached_from_redis_and_then_its_rename() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TwoNodesDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8), settings).run();
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertThat(output)
                .contains("node A  stored 3 books in MariaDB")
                .containsPattern("node B  started in JVM \\d+")
                .contains("node A  read Book#1 \"A Wizard of Earthsea\" from the database (SQL) and cached it")
                .contains("node B  read Book#1 \"A Wizard of Earthsea\" from L2 (Redis)")
                .contains("node A  renamed Book#1 to \"" + TwoNodesDemo.NEW_TITLE + "\" and committed")
                .containsPattern("node B  read Book#1 \"" + TwoNodesDemo.NEW_TITLE.replace("(", "\\(")
                        .replace(")", "\\)") + "\" from L2 \\(Redis\\) after watching")
                .contains("both nodes stopped");
    }
}
