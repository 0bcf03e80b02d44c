package io.tiercache.engine.redis;

import io.tiercache.engine.ContentType;
import io.tiercache.engine.SyncItem;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading an item hash back trusts nothing: every malformed field gives a corrupt item, never an exception. */
class ItemCodecTest {
    private static final SyncItem ITEM = SyncItem.create("a/1", "{\"k\":1}".getBytes(StandardCharsets.UTF_8), 42,
            "paid", 1_800_000_000_000L, 1_700_000_000_000L);

    private static Map<byte[], byte[]> fieldsOf(SyncItem item) {
        byte[][] args = ItemCodec.upsertArgs(new byte[0], item, 0);
        String[] names = {null, null, "version", "payload", "hash", "type", "state", "expires_at", "updated_at"};
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        for (int i = 2; i < names.length; i++) {
            fields.put(names[i].getBytes(StandardCharsets.UTF_8), args[i]);
        }
        return fields;
    }

    private static Map<byte[], byte[]> with(String field, byte[] value) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        fieldsOf(ITEM).forEach((k, v) -> {
            if (!new String(k, StandardCharsets.UTF_8).equals(field)) {
                fields.put(k, v);
            }
        });
        if (value != null) {
            fields.put(field.getBytes(StandardCharsets.UTF_8), value);
        }
        return fields;
    }

    @Test
    void whatIsWrittenReadsBackEqualAndIntact() {
        SyncItem read = ItemCodec.decode("a/1", fieldsOf(ITEM));
        assertThat(read).isEqualTo(ITEM);
        assertThat(read.isIntact()).isTrue();
    }

    @Test
    void anEmptyHashIsAbsent() {
        assertThat(ItemCodec.decode("a/1", Map.of())).isNull();
    }

    @Test
    void everyMissingOrMalformedFieldMakesTheCopyCorrupt() {
        byte[] badUtf8 = {(byte) 0xC3, (byte) 0x28};
        Object[][] cases = {
            {"payload", null}, {"hash", null}, {"hash", "ABC".getBytes()}, {"hash", badUtf8},
            {"version", null}, {"version", "1.5".getBytes()}, {"version", "99999999999999999999".getBytes()},
            {"state", null}, {"state", "".getBytes()}, {"state", "a\u0000b".getBytes()}, {"state", badUtf8},
            {"expires_at", "-1".getBytes()}, {"expires_at", "x".getBytes()}, {"updated_at", null},
        };
        for (Object[] c : cases) {
            SyncItem read = ItemCodec.decode("a/1", with((String) c[0], (byte[]) c[1]));
            assertThat(read).as("%s", c[0]).isNotNull();
            assertThat(read.isIntact()).as("%s = %s", c[0], c[1] == null ? "missing" : new String((byte[]) c[1]))
                    .isFalse();
            assertThat(read.contentHash()).startsWith("unreadable-" + c[0]);
        }
    }

    @Test
    void anUnknownTypeTagIsDetectedFromTheBytes() {
        SyncItem read = ItemCodec.decode("a/1", with("type", "YAML".getBytes()));
        assertThat(read.contentType()).isEqualTo(ContentType.JSON);
        assertThat(read.isIntact()).isTrue();
    }

    @Test
    void indexMembersMustBeValidIds() {
        assertThat(ItemCodec.idOrNull("a/1".getBytes())).isEqualTo("a/1");
        assertThat(ItemCodec.idOrNull(new byte[]{'a', (byte) 0xFF})).isNull();
        assertThat(ItemCodec.idOrNull("a\u0007".getBytes())).isNull();
        assertThat(ItemCodec.idOrNull(new byte[0])).isNull();
    }
}
