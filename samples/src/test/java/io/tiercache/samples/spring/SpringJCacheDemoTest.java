package io.tiercache.samples.spring;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./scripts/sample.sh spring} runs this sample; this keeps what it prints true. */
class SpringJCacheDemoTest {

    @Test
    void annotated_calls_are_answered_by_tiercache_or_reach_the_service_as_jsr107_says() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new SpringJCacheDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        // column widths are layout; compare the words
        assertThat(output.lines().filter(line -> line.startsWith("  ")).map(line -> line.strip().replaceAll(" +", " ")))
                .containsExactly(
                        "title(978-0553383041) -> \"A Wizard of Earthsea\" [service called]",
                        "title(978-0553383041) -> \"A Wizard of Earthsea\" [cache hit, service not called]",
                        "rename(978-0553383041, \"Earthsea\") [service called]",
                        "title(978-0553383041) -> \"Earthsea\" [cache hit, service not called]",
                        "withdraw(978-0553383041) [service called]",
                        "title(978-0553383041) -> \"(unknown)\" [service called]");
        assertThat(output)
                .contains("Spring JCacheCacheManager over io.tiercache.jcache.TierCachingProvider")
                .contains("service calls: 4 of 6; cache 'titles' holds an entry for 978-0553383041");
    }
}
