package io.tiercache.engine.redis;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Key names: one hash tag per namespace, whatever the namespace or the prefix holds. */
class RedisKeysTest {
    private final RedisKeys keys = new RedisKeys("tc:");

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The hash tag Redis Cluster computes a key's slot from: between the first '{' and the next '}'. */
    private static String hashTag(String key) {
        int open = key.indexOf('{');
        int close = open < 0 ? -1 : key.indexOf('}', open + 1);
        return close > open + 1 ? key.substring(open + 1, close) : key;
    }

    @Test
    void anItemAndItsIndexesShareTheNamespaceTag() {
        assertThat(s(keys.item("users/42"))).isEqualTo("tc:{users/}:i:users/42");
        assertThat(s(keys.ids("users/"))).isEqualTo("tc:{users/}:ids");
        assertThat(s(keys.expiries("users/"))).isEqualTo("tc:{users/}:exp");
        assertThat(s(keys.state("users/", "paid"))).isEqualTo("tc:{users/}:st:paid");
        assertThat(s(keys.namespaces())).isEqualTo("tc:namespaces");
    }

    @Test
    void idsWithoutASlashLiveInTheRootNamespace() {
        assertThat(RedisKeys.namespaceOf("plain")).isEmpty();
        assertThat(s(keys.item("plain"))).isEqualTo("tc:{~}:i:plain");
        assertThat(RedisKeys.namespaceOf("/lead")).isEqualTo("/");
        assertThat(hashTag(s(keys.item("/lead")))).isEqualTo("/");
    }

    @Test
    void bracesAndPercentInANamespaceCannotEndTheTagEarlyOrCollide() {
        for (String id : new String[]{"a}b/1", "a{b/1", "a%7Db/1", "}/x", "{}/y", "a b/é"}) {
            String namespace = RedisKeys.namespaceOf(id);
            String tag = hashTag(s(keys.item(id)));
            assertThat(tag).as(id).isEqualTo(RedisKeys.tag(namespace)).isNotEmpty();
            assertThat(hashTag(s(keys.ids(namespace)))).isEqualTo(tag);
            assertThat(hashTag(s(keys.state(namespace, "x}y")))).isEqualTo(tag);
        }
        assertThat(RedisKeys.tag("a}b/")).isNotEqualTo(RedisKeys.tag("a%7Db/"));
    }

    @Test
    void theCleanupPatternEscapesGlobCharactersOfThePrefix() {
        assertThat(new RedisKeys("a*b?[c]\\:").allKeysPattern()).isEqualTo("a\\*b\\?\\[c\\]\\\\:*");
    }

    @Test
    void prefixRangesAreBytesClosedByFF() {
        NamespaceQuery query = NamespaceQuery.byPrefix("p/é");
        assertThat(query.singleNamespace()).isTrue();
        assertThat(query.min(null)).isEqualTo("[p/é".getBytes(StandardCharsets.UTF_8));
        byte[] max = query.max();
        assertThat(max[0]).isEqualTo((byte) '(');
        assertThat(max[max.length - 1]).isEqualTo((byte) 0xFF);
        assertThat(query.min("p/a")).as("an afterId below the prefix starts at the prefix")
                .isEqualTo("[p/é".getBytes(StandardCharsets.UTF_8));
        assertThat(query.min("p/éz")).isEqualTo("(p/éz".getBytes(StandardCharsets.UTF_8));
        assertThat(NamespaceQuery.byState("paid").min(null)).isEqualTo(new byte[]{'-'});
        assertThat(NamespaceQuery.byPrefix("").max()).isEqualTo(new byte[]{'+'});
        assertThat(NamespaceQuery.byPrefix("us").mayMatch("users/")).isTrue();
        assertThat(NamespaceQuery.byPrefix("ux").mayMatch("users/")).isFalse();
    }
}
