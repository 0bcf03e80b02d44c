package io.tiercache.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyncItemTest {

    private static SyncItem of(byte[] payload) {
        return SyncItem.create("t/1", payload, 1, SyncItem.DEFAULT_STATE, SyncItem.NO_EXPIRY, 0);
    }

    private static SyncItem of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "{\"a\":1}", "[1,\"x\",null]", "  {\"a\": {\"b\": []}}\n", "\t[ ]\r\n",
        "{\"é\":\"\uD83D\uDE00\"}"})
    void objectsAndArraysAreJson(String text) {
        assertThat(of(text).contentType()).isEqualTo(ContentType.JSON);
        assertThat(of(text).contentAsJson()).contains(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "1", "-2.5", "\"text\"", "true", "null", "{", "{\"a\":1}}", "{\"a\":1} x",
        "[1,]", "{'a':1}", "plain text", "{\"a\":1}{\"b\":2}"})
    void scalarsAndBrokenDocumentsAreBinary(String text) {
        assertThat(of(text).contentType()).isEqualTo(ContentType.BINARY);
        assertThat(of(text).contentAsJson()).isEmpty();
    }

    @Test
    void invalidUtf8IsBinaryEvenInsideAJsonString() {
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThat(of(bytes).contentType()).isEqualTo(ContentType.BINARY);
        assertThat(of(new byte[]{(byte) 0xff, (byte) 0xfe}).contentType()).isEqualTo(ContentType.BINARY);
    }

    @Test
    void theHashIsLowerCaseSha256Hex() {
        assertThat(of("").contentHash())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(of("abc").contentHash())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void thePayloadIsCopiedInAndOut() {
        byte[] bytes = {1, 2, 3};
        SyncItem item = of(bytes);
        bytes[0] = 9;
        item.payload()[1] = 9;
        assertThat(item.payload()).containsExactly(1, 2, 3);
        assertThat(item.payloadSize()).isEqualTo(3);
        assertThat(item.isIntact()).isTrue();
    }

    @Test
    void aRestoredItemWithAWrongHashIsNotIntact() {
        SyncItem good = of("abc");
        SyncItem tampered = SyncItem.restore("t/1", "abd".getBytes(StandardCharsets.UTF_8), ContentType.BINARY,
                good.contentHash(), 1, SyncItem.DEFAULT_STATE, 0, 0);
        assertThat(tampered.isIntact()).isFalse();
        assertThat(SyncItem.restore("t/1", good.payload(), ContentType.BINARY, good.contentHash(), 1, "default", 0, 0)
                .isIntact()).isTrue();
    }

    @Test
    void expiryIsInclusiveAndZeroMeansNever() {
        SyncItem expiring = SyncItem.create("t/1", new byte[0], 1, "default", 1000, 0);
        assertThat(expiring.isExpiredAt(999)).isFalse();
        assertThat(expiring.isExpiredAt(1000)).isTrue();
        assertThat(of("x").isExpiredAt(Long.MAX_VALUE)).isFalse();
        assertThat(of("x").hasExpiry()).isFalse();
    }

    @Test
    void withMetadataKeepsPayloadAndHash() {
        SyncItem item = of("{\"a\":1}");
        SyncItem moved = item.withMetadata(5, "paid", 42, 7);
        assertThat(moved.version()).isEqualTo(5);
        assertThat(moved.state()).isEqualTo("paid");
        assertThat(moved.expiresAt()).isEqualTo(42);
        assertThat(moved.samePayloadAs(item)).isTrue();
        assertThat(moved.contentType()).isEqualTo(ContentType.JSON);
    }

    @Test
    void badStatesAndExpiriesAreRefused() {
        assertThatThrownBy(() -> SyncItem.create("t/1", new byte[0], 1, "", 0, 0)).hasMessageContaining("state");
        assertThatThrownBy(() -> SyncItem.create("t/1", new byte[0], 1, null, 0, 0)).hasMessageContaining("state");
        assertThatThrownBy(() -> SyncItem.create("t/1", new byte[0], 1, "a\nb", 0, 0))
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> SyncItem.create("t/1", new byte[0], 1, "x".repeat(129), 0, 0))
                .hasMessageContaining("128");
        assertThatThrownBy(() -> SyncItem.create("t/1", new byte[0], 1, "default", -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expiresAt");
        assertThatThrownBy(() -> SyncItem.create("", new byte[0], 1, "default", 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
