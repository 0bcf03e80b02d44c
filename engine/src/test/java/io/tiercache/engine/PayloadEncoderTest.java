package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A write through an L1 entry with a {@link PayloadEncoder} is encoded only when something needs its bytes: the
 * flusher for L3, a read by id, a content hash. Until then the entry serves the value to the encoder's owner only.
 */
class PayloadEncoderTest extends EngineTestSupport {
    private final Object owner = new Object();
    private final AtomicInteger encodings = new AtomicInteger();
    private final PayloadEncoder utf8 = new Utf8(owner, encodings);

    /** UTF-8 text, counting its encodings. */
    private record Utf8(Object owner, AtomicInteger encodings) implements PayloadEncoder {
        @Override
        public byte[] encode(Object value) {
            encodings.incrementAndGet();
            return ((String) value).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public int maxEncodedSize(Object value) {
            return 3 * ((String) value).length();
        }

        @Override
        public int estimatedSize(Object value) {
            return ((String) value).length();
        }
    }

    private L1Ref entryOf(String id) {
        engine.submit(id, bytes("{}")).join();
        L1Ref ref = engine.l1Ref(id);
        assertThat(ref).as("L1 entry of " + id).isNotNull();
        return ref;
    }

    @Test
    void overwritesBetweenFlushesAreNotEncodedAndTheFlushStoresTheNewest() throws Exception {
        start(config().build());
        L1Ref ref = entryOf("doc/1");
        SyncItem last = null;
        for (int i = 0; i < 100; i++) {
            last = engine.submitOwned(ref, "{\"n\":" + i + "}", utf8, SubmitOptions.defaults())
                    .join();
        }
        assertThat(encodings).as("encoded on the writer's thread").hasValue(0);
        assertThat(ref.attached(owner, TimeSource.system())).isEqualTo("{\"n\":99}");
        assertThat(last.estimatedMemoryBytes()).as("weighed by the estimate before encoding")
                .isEqualTo(SyncItem.create("doc/1", bytes("{\"n\":99}"), 1, SyncItem.DEFAULT_STATE, 0, 0)
                        .estimatedMemoryBytes());

        engine.forceFlush().get(10, TimeUnit.SECONDS);
        assertThat(encodings).as("only the write the flush stored").hasValue(1);
        try (Connection l3 = openL3(); Statement query = l3.createStatement();
             ResultSet row = query.executeQuery("select version, payload_json, content_hash from sync_items "
                     + "where id = 'doc/1'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getLong(1)).isEqualTo(last.version());
            assertThat(row.getString(2)).as("a JSON payload is stored as text").isEqualTo("{\"n\":99}");
            assertThat(row.getString(3)).isEqualTo(last.contentHash());
        }
        engine.clearL1();
        assertThat(text(engine.get("doc/1").orElseThrow())).isEqualTo("{\"n\":99}");
    }

    @Test
    void aReadByIdEncodesOnceAndSeesTheSameBytesAsEveryOtherReader() {
        start(config().sqlEnabled(false).build());
        L1Ref ref = entryOf("doc/1");
        SyncItem written = engine.submitOwned(ref, "{\"name\":\"Zoë\"}", utf8,
                SubmitOptions.defaults()).join();

        SyncItem read = engine.get("doc/1").orElseThrow();
        assertThat(read).isSameAs(written);
        assertThat(text(read)).isEqualTo("{\"name\":\"Zoë\"}");
        assertThat(read.contentType()).isEqualTo(ContentType.JSON);
        assertThat(read.isIntact()).isTrue();
        assertThat(read.payloadSize()).isEqualTo("{\"name\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8).length);
        assertThat(encodings).as("kept once encoded").hasValue(1);
        assertThat(read).isEqualTo(SyncItem.restore("doc/1", read.payload(), read.contentType(), read.contentHash(),
                read.version(), read.state(), read.expiresAt(), read.updatedAt()));
    }

    @Test
    void threadsReadingANewItemAtOnceAllSeeItsWholePayload() throws Exception {
        start(config().sqlEnabled(false).build());
        L1Ref ref = entryOf("doc/1");
        String text = "{\"text\":\"" + "x".repeat(4096) + "\"}";
        for (int round = 0; round < 50; round++) {
            SyncItem item = engine.submitOwned(ref, text + " ".repeat(round % 3), utf8,
                    SubmitOptions.defaults()).join();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> readers = new ArrayList<>();
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                Thread reader = new Thread(() -> {
                    try {
                        go.await();
                        seen.add(new String(item.payload(), StandardCharsets.UTF_8) + item.contentHash());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                reader.start();
                readers.add(reader);
            }
            go.countDown();
            for (Thread reader : readers) {
                reader.join(10_000);
            }
            assertThat(seen).hasSize(4).containsOnly(text + " ".repeat(round % 3) + item.contentHash());
        }
    }

    @Test
    void theValueIsServedToItsOwnerOnlyAndOnlyUntilTheNextWrite() {
        start(config().sqlEnabled(false).build());
        L1Ref ref = entryOf("doc/1");
        engine.submitOwned(ref, "{\"n\":1}", utf8, SubmitOptions.defaults()).join();
        assertThat(ref.attached(new Object(), TimeSource.system())).as("someone else").isNull();
        assertThat(ref.attached(owner, TimeSource.system())).isEqualTo("{\"n\":1}");

        engine.submitOwned(ref, bytes("{\"n\":2}"), SubmitOptions.defaults()).join();
        assertThat(ref.attached(owner, TimeSource.system())).as("replaced by bytes").isNull();
        engine.submitOwned(ref, "{\"n\":3}", utf8, SubmitOptions.defaults()).join();
        engine.delete("doc/1", Durability.MEMORY).join();
        assertThat(ref.attached(owner, TimeSource.system())).as("deleted").isNull();
    }

    @Test
    void anItemWithATtlIsServedUntilItExpires() {
        start(config().sqlEnabled(false).build());
        L1Ref ref = entryOf("doc/1");
        engine.submitOwned(ref, "{}", utf8,
                SubmitOptions.defaults().withTtl(java.time.Duration.ofSeconds(5))).join();
        TimeSource time = clock::get;
        assertThat(ref.attached(owner, time)).isEqualTo("{}");
        advance(5_000);
        assertThat(ref.attached(owner, time)).isNull();
    }

    @Test
    void aPayloadThatMayBeTooLargeIsEncodedAtOnceAndChecked() {
        start(config().sqlEnabled(false).maxPayloadBytes(64).build());
        L1Ref ref = entryOf("doc/1");
        // 30 chars may take 90 bytes, over the limit: encoded now, and 30 ASCII bytes pass.
        engine.submitOwned(ref, "a".repeat(30), utf8, SubmitOptions.defaults()).join();
        assertThat(encodings).hasValue(1);
        assertThat(text(engine.get("doc/1").orElseThrow())).isEqualTo("a".repeat(30));

        assertThatThrownBy(() -> engine.submitOwned(ref, "é".repeat(40), utf8,
                SubmitOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("doc/1").hasMessageContaining("80 bytes").hasMessageContaining("64");
    }

    @Test
    void anEncodingLargerThanItsOwnBoundIsRefusedWithItsClass() {
        start(config().sqlEnabled(false).build());
        L1Ref ref = entryOf("doc/1");
        PayloadEncoder liar = new PayloadEncoder() {
            @Override
            public Object owner() {
                return owner;
            }

            @Override
            public byte[] encode(Object value) {
                return new byte[100];
            }

            @Override
            public int maxEncodedSize(Object value) {
                return 10;
            }

            @Override
            public int estimatedSize(Object value) {
                return 5;
            }
        };
        SyncItem item = engine.submitOwned(ref, "short", liar, SubmitOptions.defaults()).join();
        assertThatThrownBy(item::payload).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("doc/1").hasMessageContaining("100 bytes")
                .hasMessageContaining("maxEncodedSize 10").hasMessageContaining(getClass().getName());
        assertThatThrownBy(() -> engine.submitOwned(ref, null, utf8, SubmitOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value of 'doc/1'");
        assertThatThrownBy(() -> engine.submitOwned(ref, "x", null, SubmitOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoder of 'doc/1'");
    }

    /**
     * putOwned is submitOwned waited for: it returns the item the write stored, carried through the entry or queued,
     * and a DURABLE one only once L3 holds it.
     */
    @Test
    void putOwnedReturnsTheStoredItemAtEveryDurability() throws Exception {
        start(config().build());
        L1Ref ref = entryOf("doc/put");
        SyncItem queued = engine.putOwned(ref, "{\"n\":1}", utf8, SubmitOptions.defaults());
        SyncItem carried = engine.putOwned(ref, "{\"n\":2}", utf8, SubmitOptions.defaults());
        assertThat(carried.version()).isGreaterThan(queued.version());
        assertThat(engine.getCached("doc/put").orElseThrow()).isSameAs(carried);
        assertThat(encodings).as("neither is encoded yet").hasValue(0);

        SyncItem bytes = engine.putOwned(ref, bytes("{\"n\":3}"), SubmitOptions.defaults());
        assertThat(bytes.version()).isGreaterThan(carried.version());
        assertThat(new String(engine.get("doc/put").orElseThrow().payload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":3}");

        SyncItem durable = engine.putOwned(ref, "{\"n\":4}", utf8,
                SubmitOptions.defaults().withDurability(Durability.DURABLE));
        try (Connection l3 = openL3(); Statement query = l3.createStatement();
             ResultSet row = query.executeQuery("select version from sync_items where id = 'doc/put'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getLong(1)).as("in L3 when putOwned returned").isEqualTo(durable.version());
        }
        assertThatThrownBy(() -> engine.putOwned(ref, null, utf8, SubmitOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doc/put");
        assertThatThrownBy(() -> engine.putOwned(ref, (byte[]) null, SubmitOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doc/put");
    }
}
