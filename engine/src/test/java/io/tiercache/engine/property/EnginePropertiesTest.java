package io.tiercache.engine.property;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.internal.IdOrder;
import io.tiercache.engine.memory.MemoryTier;
import io.tiercache.engine.sql.SqlTiers;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierWrite;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties over random input. One engine and one tier of each kind serve every try; each try writes under its own
 * namespace so tries do not see each other.
 */
class EnginePropertiesTest {
    /** Characters that trip up LIKE patterns, escaping, case folding, UTF-8 and UTF-16 ordering. */
    private static final String ALPHABET = "ab%_!\\/AB.é€\uD83D\uDE00";
    private static final AtomicInteger NAMESPACE = new AtomicInteger();

    private static Path dir;
    private static SyncEngine engine;
    private static List<ItemTier> tiers;

    @BeforeContainer
    static void open() throws Exception {
        dir = Files.createTempDirectory("tiercache-properties");
        engine = SyncEngine.start(SyncEngineConfig.builder().dataDir(dir.resolve("engine"))
                .batchFlushMs(3_600_000).batchFlushCount(1_000_000).build());
        tiers = List.of(new MemoryTier(64L << 20, System::currentTimeMillis),
                SqlTiers.openSqlite(dir.resolve("tier/l3.db")));
    }

    @AfterContainer
    static void close() throws IOException {
        engine.shutdown();
        tiers.forEach(ItemTier::close);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static String namespace() {
        return "ns" + NAMESPACE.incrementAndGet() + "/";
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(512);
        Arbitrary<byte[]> jsonLooking = Arbitraries.strings().withChars("{}[]\":,0123456789 abcé\\\n").ofMaxLength(60)
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> json = Arbitraries.strings().alpha().ofMaxLength(20)
                .map(s -> ("{\"k\":\"" + s + "\",\"n\":[1,2]}").getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> invalidUtf8 = Arbitraries.strings().alpha().ofMaxLength(10).map(s -> {
            byte[] text = ("{\"k\":\"" + s + "\"}").getBytes(StandardCharsets.UTF_8);
            text[text.length - 3] = (byte) 0xC3;
            return text;
        });
        return Arbitraries.oneOf(raw, jsonLooking, json, invalidUtf8, Arbitraries.just(new byte[0]));
    }

    @Property(tries = 150)
    void getAfterSubmitReturnsTheSameBytes(@ForAll("payloads") byte[] payload) {
        String id = namespace() + "item";
        SyncItem written = engine.submit(id, payload).join();
        assertThat(engine.get(id).orElseThrow().payload()).isEqualTo(payload);
        engine.forceFlush().join();
        engine.clearL1();
        SyncItem read = engine.getVerified(id).orElseThrow();
        assertThat(read.payload()).isEqualTo(payload);
        assertThat(read.contentType()).isEqualTo(written.contentType());
        assertThat(read.contentHash()).isEqualTo(written.contentHash());
    }

    @Provide
    Arbitrary<List<List<Long>>> versionHistories() {
        Arbitrary<List<Long>> history = Arbitraries.longs().between(1, 1_000_000).list().ofMinSize(1).ofMaxSize(8)
                .uniqueElements();
        return history.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 100)
    void anOlderVersionNeverOverwritesANewerOne(@ForAll("versionHistories") List<List<Long>> histories,
                                                @ForAll Random random, @ForAll @IntRange(min = 1, max = 5) int batch)
            throws Exception {
        String ns = namespace();
        List<TierWrite> writes = new ArrayList<>();
        Map<String, Long> newest = new HashMap<>();
        for (int i = 0; i < histories.size(); i++) {
            String id = ns + i;
            for (long version : histories.get(i)) {
                writes.add(new TierWrite.Upsert(SyncItem.create(id, ("v" + version).getBytes(StandardCharsets.UTF_8),
                        version, "s" + version % 3, SyncItem.NO_EXPIRY, 0)));
                newest.merge(id, version, Math::max);
            }
        }
        Collections.shuffle(writes, random);
        for (ItemTier tier : tiers) {
            for (int from = 0; from < writes.size(); from += batch) {
                tier.apply(writes.subList(from, Math.min(writes.size(), from + batch)));
            }
            for (Map.Entry<String, Long> expected : newest.entrySet()) {
                SyncItem stored = tier.get(expected.getKey()).orElseThrow();
                assertThat(stored.version()).as(tier.describe()).isEqualTo(expected.getValue());
                assertThat(new String(stored.payload(), StandardCharsets.UTF_8)).isEqualTo("v" + expected.getValue());
                assertThat(stored.state()).isEqualTo("s" + expected.getValue() % 3);
            }
        }
    }

    @Provide
    Arbitrary<String> idTails() {
        return Arbitraries.strings().withChars(ALPHABET).ofMinLength(1).ofMaxLength(6)
                .filter(EnginePropertiesTest::isWellFormed);
    }

    @Provide
    Arbitrary<String> prefixes() {
        return Arbitraries.strings().withChars(ALPHABET).ofMinLength(0).ofMaxLength(3)
                .filter(EnginePropertiesTest::isWellFormed);
    }

    @Provide
    Arbitrary<Set<String>> idSets() {
        return idTails().set().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 100)
    void aPrefixScanEqualsAFilterOverAllIds(@ForAll("idSets") Set<String> tails, @ForAll("prefixes") String prefix,
                                            @ForAll @Size(max = 25) @UniqueElements List<@IntRange(max = 24) Integer> flushed)
            throws Exception {
        String ns = namespace();
        List<String> all = new ArrayList<>(tails);
        for (int i = 0; i < all.size(); i++) {
            engine.submit(ns + all.get(i), new byte[]{(byte) i}).join();
            if (flushed.contains(i)) {
                engine.forceFlush().join();
            }
        }
        List<String> expected = all.stream().filter(tail -> tail.startsWith(prefix)).map(tail -> ns + tail)
                .sorted(IdOrder.COMPARATOR).toList();

        assertThat(engine.scanPrefix(ns + prefix, 100)).extracting(SyncItem::id).isEqualTo(expected);
        assertThat(engine.countPrefix(ns + prefix)).isEqualTo(expected.size());
        engine.forceFlush().join();
        assertThat(engine.scanPrefix(ns + prefix, 100)).extracting(SyncItem::id).isEqualTo(expected);

        for (ItemTier tier : tiers) {
            List<TierWrite> writes = all.stream().<TierWrite>map(tail -> new TierWrite.Upsert(SyncItem.create(
                    ns + tail, new byte[0], 1, SyncItem.DEFAULT_STATE, SyncItem.NO_EXPIRY, 0))).toList();
            tier.apply(writes);
            long now = System.currentTimeMillis();
            assertThat(tier.idsByPrefix(ns + prefix, null, 100, now)).as(tier.describe()).isEqualTo(expected);
            assertThat(tier.countPrefix(ns + prefix, now)).as(tier.describe()).isEqualTo(expected.size());
        }
    }

    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

}
