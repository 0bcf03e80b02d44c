package io.tiercache.engine.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which URL means which deployment, and the errors for the forms that mean none. */
class RedisUrlTest {

    @Test
    void aClusterUrlListsEverySeedWithTheSharedCredentialsAndOptions() {
        RedisUrl url = RedisUrl.parse("redis-cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001,node-3:7002?timeout=3s");
        assertThat(url.cluster()).isTrue();
        assertThat(url.nodes()).extracting(RedisURI::getHost, RedisURI::getPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.0.1", 7000),
                        org.assertj.core.groups.Tuple.tuple("10.0.0.2", 7001),
                        org.assertj.core.groups.Tuple.tuple("node-3", 7002));
        assertThat(url.nodes()).allSatisfy(seed -> {
            assertThat(seed.getUsername()).isEqualTo("app");
            assertThat(seed.getPassword()).containsExactly("s3cret".toCharArray());
            assertThat(seed.isSsl()).isFalse();
            assertThat(seed.getTimeout()).isEqualTo(Duration.ofSeconds(3));
        });
        assertThat(url.description()).isEqualTo("redis-cluster://10.0.0.1:7000,10.0.0.2:7001,node-3:7002")
                .doesNotContain("s3cret");
    }

    @Test
    void rediss_clusterSpeaksTlsToEverySeed() {
        RedisUrl url = RedisUrl.parse("rediss-cluster://:pw@h1:7000,h2:7001/0?verifyPeer=NONE");
        assertThat(url.cluster()).isTrue();
        assertThat(url.nodes()).hasSize(2).allSatisfy(seed -> {
            assertThat(seed.isSsl()).isTrue();
            assertThat(seed.getVerifyMode()).isEqualTo(SslVerifyMode.NONE);
        });
        assertThat(url.description()).isEqualTo("rediss-cluster://h1:7000,h2:7001");
    }

    @Test
    void standaloneAndSentinelUrlsStayWhatTheyWere() {
        RedisUrl plain = RedisUrl.parse("redis://alice:wonder@127.0.0.1:6380/2");
        assertThat(plain.cluster()).isFalse();
        assertThat(plain.description()).isEqualTo("redis://127.0.0.1:6380/2");
        RedisUrl sentinel = RedisUrl.parse("redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#cache");
        assertThat(sentinel.cluster()).isFalse();
        assertThat(sentinel.description()).isEqualTo("redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/0#cache");
    }

    @Test
    void mixingSentinelAndClusterIsRefusedByName() {
        assertThatThrownBy(() -> RedisUrl.parse("redis-cluster://h1:7000,h2:7001#mymaster"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mixes Redis Cluster with a Sentinel master name");
    }

    @Test
    void aClusterDatabaseOtherThanZeroIsRefused() {
        assertThatThrownBy(() -> RedisUrl.parse("redis-cluster://h1:7000/3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only database 0");
    }

    @Test
    void severalHostsInAPlainUrlAskWhichDeploymentIsMeant() {
        assertThatThrownBy(() -> RedisUrl.parse("redis://h1:7000,h2:7001"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis-cluster://").hasMessageContaining("redis-sentinel://");
    }

    @Test
    void unknownSchemesListEveryAcceptedForm() {
        for (String url : new String[]{"http://127.0.0.1:6379", "127.0.0.1:6379", "redis-sentinel-cluster://h:1"}) {
            assertThatThrownBy(() -> RedisUrl.parse(url)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("redis://").hasMessageContaining("redis-sentinel://")
                    .hasMessageContaining("redis-cluster://");
        }
        assertThatThrownBy(() -> RedisUrl.parse(null)).hasMessageContaining("redisUrl is not set");
    }

    @Test
    void aMalformedUrlIsReportedWithoutItsPassword() {
        assertThatThrownBy(() -> RedisUrl.parse("redis-cluster://app:top secret@h1:7000,h2:7001"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("redisUrl is malformed")
                .hasMessageNotContaining("top secret").hasNoCause();
    }

    @Test
    void aClusterUrlWithoutHostsIsMalformed() {
        assertThatThrownBy(() -> RedisUrl.parse("redis-cluster://"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("redisUrl");
    }
}
