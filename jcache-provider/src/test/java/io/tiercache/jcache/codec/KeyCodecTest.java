package io.tiercache.jcache.codec;

import io.tiercache.engine.ItemIds;
import org.junit.jupiter.api.Test;

import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyCodecTest {
    private final ValueCodec codec = DefaultCodec.create(SerializationFilter.defaults(), getClass().getClassLoader());
    private final KeyCodec keys = new KeyCodec("users", codec, false);

    @Test
    void stringKeysStayReadable() {
        assertThat(keys.idOf("ada").id()).isEqualTo("users/ada");
        assertThat(keys.idOf("a/b c").id()).isEqualTo("users/a/b c");
    }

    @Test
    void everyKindOfKeyRoundTrips() {
        List<Object> samples = List.of("ada", "", "~tilde", "100%", "tab\there", "line\nbreak", "snow\u2603man",
                "emoji\uD83D\uDE00", "lone\uD800surrogate", 42L, -7L, 13, new Date(123_456L), List.of(1, 2, 3));
        for (Object key : samples) {
            KeyCodec.KeyId id = keys.idOf(key);
            ItemIds.requireValid(id.id());
            assertThat(id.id()).startsWith("users/");
            assertThat(keys.keyOf(id.id(), id.storedKey())).as("round trip of %s", key).isEqualTo(key);
        }
    }

    @Test
    void typedKeysDoNotCollideWithStrings() {
        assertThat(keys.idOf(42L).id()).isEqualTo("users/~l:42");
        assertThat(keys.idOf(42).id()).isEqualTo("users/~i:42");
        assertThat(keys.idOf("~l:42").id()).isEqualTo("users/%7El:42");
    }

    @Test
    void cacheNamesAreEscapedSoNoPrefixContainsAnother() {
        KeyCodec nested = new KeyCodec("users/admins", codec, false);

        assertThat(nested.namespace()).isEqualTo("users%2Fadmins/");
        assertThat(nested.namespace()).doesNotStartWith(keys.namespace());
    }

    @Test
    void overlongKeysGetAHashedIdAndTravelInTheEnvelope() {
        String longKey = "k".repeat(5_000);

        KeyCodec.KeyId id = keys.idOf(longKey);

        assertThat(id.id()).startsWith("users/~h:");
        assertThat(id.id().length()).isLessThan(100);
        assertThat(id.storedKey()).isNotNull();
        assertThat(keys.keyOf(id.id(), id.storedKey())).isEqualTo(longKey);
        assertThat(keys.idOf(longKey).id()).isEqualTo(id.id());
    }

    @Test
    void unserializableKeysFailForByValueCachesAndGetLocalIdsByReference() {
        Object opaque = new Object() {
            @Override
            public boolean equals(Object o) {
                return o != null && o.getClass() == getClass();
            }

            @Override
            public int hashCode() {
                return 1;
            }
        };
        assertThatThrownBy(() -> keys.idOf(opaque)).isInstanceOf(CodecException.class)
                .hasMessageContaining("as a key");

        KeyCodec byReference = new KeyCodec("refs", codec, true);
        KeyCodec.KeyId id = byReference.idOf(opaque);
        assertThat(id.id()).startsWith("refs/~r:");
        assertThat(byReference.keyOf(id.id(), null)).isSameAs(opaque);
    }
}
