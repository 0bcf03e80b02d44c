package io.tiercache.engine.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IdOrderTest {

    @Test
    void ordersByCodePointNotUtf16() {
        String emoji = "\uD83D\uDE00";
        String replacement = "\uFFFD";
        assertThat(emoji.compareTo(replacement)).as("String.compareTo puts surrogates first").isNegative();
        assertThat(IdOrder.compare(emoji, replacement)).isPositive();
        assertThat(IdOrder.compare(replacement, emoji)).isNegative();
    }

    @Test
    void aPrefixSortsBeforeItsExtensions() {
        assertThat(IdOrder.compare("a", "ab")).isNegative();
        assertThat(IdOrder.compare("ab", "a")).isPositive();
        assertThat(IdOrder.compare("", "a")).isNegative();
        assertThat(IdOrder.compare("abc", "abc")).isZero();
    }

    @Test
    void agreesWithUtf8ByteOrder() {
        List<String> ids = new ArrayList<>(List.of("a", "B", "é", "€", "\uD83D\uDE00", "\uFFFD", "z", "%", "_", "!",
                "\\", "/", "a/b", "a0", "\u00ff", "\u0100", "\uD800\uDC00"));
        List<String> byCodePoint = new ArrayList<>(ids);
        byCodePoint.sort(IdOrder.COMPARATOR);
        List<String> byBytes = new ArrayList<>(ids);
        byBytes.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8),
                y.getBytes(StandardCharsets.UTF_8)));
        assertThat(byCodePoint).isEqualTo(byBytes);
    }
}
