package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ItemIdsTest {

    @Test
    void nullAndEmptyIdsAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid(null)).withMessageContaining("null");
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("")).withMessageContaining("empty");
    }

    @Test
    void anIdOver1024Utf8BytesIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("a".repeat(1025)))
                .withMessageContaining("1025 UTF-8 bytes").withMessageContaining("1024");
        String multibyte = "é".repeat(512) + "a";
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid(multibyte))
                .withMessageContaining("1025 UTF-8 bytes");
    }

    @Test
    void anIdOfExactly1024BytesIsAccepted() {
        String ascii = "a".repeat(1024);
        String twoByte = "é".repeat(512);
        String threeByte = "€".repeat(341) + "a";
        String fourByte = "\uD83D\uDE00".repeat(256);
        for (String id : new String[]{ascii, twoByte, threeByte, fourByte}) {
            assertThat(id.getBytes(StandardCharsets.UTF_8)).hasSize(1024);
            assertThat(ItemIds.requireValid(id)).isSameAs(id);
        }
    }

    @Test
    void controlCharactersAreRefusedByCodeAndIndex() {
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("ab\ncd"))
                .withMessageContaining("control character U+000A at index 2");
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("\u0000"))
                .withMessageContaining("U+0000");
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("x\u007f"))
                .withMessageContaining("U+007F");
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("x\u0085"))
                .withMessageContaining("U+0085");
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("a\uD83D"))
                .withMessageContaining("unpaired surrogate at index 1");
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("\uDE00a"))
                .withMessageContaining("unpaired surrogate at index 0");
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValid("\uD83D\uD83D\uDE00"))
                .withMessageContaining("unpaired surrogate");
    }

    @Test
    void printableIdsWithAnyPunctuationAreAccepted() {
        for (String id : new String[]{"users/42", "a%b_c!d\\e", "region/com.acme.Person#42", " ", "\uD83D\uDE00", "é"}) {
            assertThat(ItemIds.requireValid(id)).isEqualTo(id);
        }
    }

    @Test
    void prefixesMayBeEmptyButFollowTheIdRules() {
        assertThat(ItemIds.requireValidPrefix("")).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValidPrefix(null))
                .withMessageContaining("prefix");
        assertThatIllegalArgumentException().isThrownBy(() -> ItemIds.requireValidPrefix("a\tb"));
    }
}
