package io.tiercache.engine.redis;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever is written into Redis behind the tier's back, reads never throw, and a corrupt copy reads as corrupt. */
class RedisTierCorruptDataIT extends RedisTierFixture {
    @Override
    String subPrefixStem() {
        return "c";
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private SyncItem stored(String id) throws Exception {
        SyncItem item = SyncItem.create(id, b("{\"n\":1}"), 7, "paid", SyncItem.NO_EXPIRY, 1L);
        tier.apply(List.of(new TierWrite.Upsert(item)));
        return item;
    }

    @Test
    void aFlippedPayloadByteReadsAsNotIntact() throws Exception {
        stored("c/flip");
        redis.raw().hset(keys.item("c/flip"), b("payload"), b("{\"n\":2}"));
        SyncItem read = tier.get("c/flip").orElseThrow();
        assertThat(read.isIntact()).isFalse();
        assertThat(read.version()).isEqualTo(7);
    }

    @Test
    void aCorruptCopyIsHealedByInvalidatingItThenWritingTheGoodCopyAgain() throws Exception {
        SyncItem good = stored("c/heal");
        redis.raw().hset(keys.item("c/heal"), b("payload"), b("{\"n\":666}"));
        tier.apply(List.of(new TierWrite.Upsert(good)));
        assertThat(tier.get("c/heal").orElseThrow().isIntact()).as("the same version never overwrites").isFalse();

        assertThat(tier.invalidate(List.of("c/heal", "c/absent", "rootless"))).isEqualTo(1);
        assertThat(tier.idsByState("paid", null, 10, System.currentTimeMillis())).isEmpty();
        tier.apply(List.of(new TierWrite.Upsert(good)));
        assertThat(tier.get("c/heal")).contains(good);
        assertThat(tier.get("c/heal").orElseThrow().isIntact()).isTrue();
    }

    @Test
    void garbageInEveryFieldReadsAsNotIntactWithoutThrowing() throws Exception {
        Map<String, byte[]> garbage = Map.of(
                "hash", b("abc"),
                "version", b("12x"),
                "type", b("XML"),
                "state", new byte[]{(byte) 0xC3, (byte) 0x28},
                "expires_at", b("-5"),
                "updated_at", b("soon"));
        for (Map.Entry<String, byte[]> field : garbage.entrySet()) {
            String id = "c/" + field.getKey();
            stored(id);
            redis.raw().hset(keys.item(id), b(field.getKey()), field.getValue());
            SyncItem read = tier.get(id).orElseThrow();
            if (field.getKey().equals("type")) {
                assertThat(read.isIntact()).as("a bad type tag is re-detected from the bytes").isTrue();
            } else {
                assertThat(read.isIntact()).as("garbage in %s", field.getKey()).isFalse();
                assertThat(read.contentHash()).startsWith("unreadable-");
            }
        }
        assertThat(tier.getMany(garbage.keySet().stream().map(k -> "c/" + k).toList())).hasSize(garbage.size());
    }

    @Test
    void aHashWithMissingFieldsReadsAsNotIntact() throws Exception {
        redis.raw().hset(keys.item("c/bare"), b("unrelated"), b("x"));
        SyncItem read = tier.get("c/bare").orElseThrow();
        assertThat(read.isIntact()).isFalse();
        assertThat(read.payloadSize()).isZero();
    }

    @Test
    void aKeyOfAnotherTypeReadsAsNotIntactAndTheNextWriteRepairsIt() throws Exception {
        redis.raw().set(keys.item("c/string"), b("not a hash"));
        redis.raw().rpush(keys.item("root-list"), b("x"));

        assertThat(tier.get("c/string").orElseThrow().isIntact()).isFalse();
        Map<String, SyncItem> many = tier.getMany(List.of("c/string", "root-list", "c/absent"));
        assertThat(many).containsOnlyKeys("c/string", "root-list");
        assertThat(many.values()).noneMatch(SyncItem::isIntact);

        SyncItem healthy = SyncItem.create("c/string", b("fixed"), 1, "default", SyncItem.NO_EXPIRY, 1L);
        tier.apply(List.of(new TierWrite.Upsert(healthy)));
        assertThat(tier.get("c/string").orElseThrow()).isEqualTo(healthy);
    }

    @Test
    void aStoredVersionThatIsNotA64BitNumberNeverBlocksAWrite() throws Exception {
        for (String bad : List.of("99999999999999999999", "9223372036854775808", "007", "-0", "1e30", "")) {
            stored("c/ver");
            redis.raw().hset(keys.item("c/ver"), b("version"), b(bad));
            SyncItem next = SyncItem.create("c/ver", b("next"), 2, "default", SyncItem.NO_EXPIRY, 1L);
            tier.apply(List.of(new TierWrite.Upsert(next)));
            assertThat(tier.get("c/ver").orElseThrow()).as("stored version '%s'", bad).isEqualTo(next);
            tier.apply(List.of(new TierWrite.Delete("c/ver", 3)));
        }
    }

    @Test
    void indexMembersThatAreNotValidIdsAreSkipped() throws Exception {
        stored("c/good");
        String namespace = "c/";
        redis.raw().zadd(keys.ids(namespace), 0, new byte[]{'c', '/', (byte) 0xFF});
        redis.raw().zadd(keys.ids(namespace), 0, b("c/\u0001control"));
        redis.raw().hset(keys.item("c/\u0001control"), b("payload"), b("x"));
        redis.raw().hset(keys.item("c/") , b("x"), b("y"));
        redis.raw().hset(concat(keys.itemBase(namespace), new byte[]{'c', '/', (byte) 0xFF}), b("x"), b("y"));

        assertThat(tier.idsByPrefix("c/", null, 10, System.currentTimeMillis())).containsExactly("c/good");
        assertThat(tier.scanPrefix("c/", null, 10, System.currentTimeMillis())).extracting(SyncItem::id)
                .containsExactly("c/good");
        assertThat(tier.idsByState("paid", null, 10, System.currentTimeMillis())).containsExactly("c/good");
    }

    @Test
    void aGarbageNamespaceRegistryEntryIsIgnored() throws Exception {
        stored("c/x");
        redis.raw().zadd(keys.namespaces(), 0, new byte[]{(byte) 0xFE, '/'});
        redis.raw().zadd(keys.namespaces(), 0, b("no-slash"));
        assertThat(tier.idsByPrefix("", null, 10, System.currentTimeMillis())).containsExactly("c/x");
        assertThat(tier.countPrefix("", System.currentTimeMillis())).isEqualTo(1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
