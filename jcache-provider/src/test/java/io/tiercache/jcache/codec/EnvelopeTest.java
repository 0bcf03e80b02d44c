package io.tiercache.jcache.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class EnvelopeTest {
    private static final byte[] JSON = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void eternalUnstampedEntriesAreStoredBare() {
        Envelope envelope = new Envelope(Envelope.ETERNAL, 0, null, JSON, false);

        assertThat(envelope.encode()).isEqualTo(JSON);
        assertThat(Envelope.decode("c/k", JSON)).isEqualTo(envelope).extracting(Envelope::isBare).isEqualTo(true);
    }

    @Test
    void expiryStampsKeysAndMagicLeadingBytesAreWrapped() {
        byte[] magic = {'J', 1, 2};
        for (Envelope envelope : new Envelope[]{
                new Envelope(1_000L, 0, null, JSON, false),
                new Envelope(Envelope.ETERNAL, 7, null, JSON, false),
                new Envelope(Envelope.ETERNAL, 0, new byte[]{1}, JSON, false),
                new Envelope(Envelope.ETERNAL, 3, null, new byte[0], true),
                new Envelope(Envelope.ETERNAL, 0, null, magic, false)}) {
            byte[] encoded = envelope.encode();

            assertThat(encoded[0]).isEqualTo((byte) 'J');
            Envelope back = Envelope.decode("c/k", encoded);
            assertThat(back.expireAt()).isEqualTo(envelope.expireAt());
            assertThat(back.stamp()).isEqualTo(envelope.stamp());
            assertThat(back.storedKey()).isEqualTo(envelope.storedKey());
            assertThat(back.value()).isEqualTo(envelope.value());
            assertThat(back.localReference()).isEqualTo(envelope.localReference());
        }
    }
}
