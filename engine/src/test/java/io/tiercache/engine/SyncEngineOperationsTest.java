package io.tiercache.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every read and write operation, checked in each place the answer can come from: the write-behind queue (nothing
 * flushed), L1 after a flush, L3 alone (L1 cleared), a new engine on the same files, and an engine with no L3 at all.
 */
class SyncEngineOperationsTest extends EngineTestSupport {

    enum Where {
        /** Writes still queued: reads are answered by L1 and the queue overlaid on an empty L3. */
        QUEUED,
        /** Flushed: L1 and L3 agree. */
        FLUSHED,
        /** Flushed and L1 dropped: every read goes to L3. */
        L3_ONLY,
        /** A new engine on the same data dir. */
        RESTARTED,
        /** An engine without L3: L1 is the only store. */
        L1_ONLY
    }

    private Where where;

    private void startFor(Where where) {
        this.where = where;
        start(where == Where.L1_ONLY ? config().sqlEnabled(false).build() : config().build());
    }

    /** Moves what was just written to where this run reads it from. */
    private void settle() {
        switch (where) {
            case QUEUED, L1_ONLY -> { }
            case FLUSHED -> engine.forceFlush().join();
            case L3_ONLY -> {
                engine.forceFlush().join();
                engine.clearL1();
            }
            case RESTARTED -> restart();
        }
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void getReturnsWhatWasSubmitted(Where where) {
        startFor(where);
        engine.submit("doc/json", bytes("{\"name\":\"Ada\"}")).join();
        engine.submit("doc/bin", new byte[]{0, (byte) 0x80, (byte) 0xff}).join();
        engine.submit("doc/empty", new byte[0]).join();
        settle();

        SyncItem json = engine.get("doc/json").orElseThrow();
        assertThat(json.contentType()).isEqualTo(ContentType.JSON);
        assertThat(json.contentAsJson()).contains("{\"name\":\"Ada\"}");
        assertThat(engine.get("doc/bin").orElseThrow().payload()).containsExactly(0, 0x80, 0xff);
        assertThat(engine.get("doc/empty").orElseThrow().payload()).isEmpty();
        assertThat(engine.getVerified("doc/bin").orElseThrow().isIntact()).isTrue();
        assertThat(engine.get("doc/none")).isEmpty();
        assertThat(engine.contains("doc/json")).isTrue();
        assertThat(engine.contains("doc/none")).isFalse();
        assertThat(engine.isCurrent("doc/json", json.contentHash())).isTrue();
        assertThat(engine.isCurrent("doc/json", engine.get("doc/bin").orElseThrow().contentHash())).isFalse();
        assertThat(engine.isCurrent("doc/none", json.contentHash())).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void theNewestWriteWins(Where where) {
        startFor(where);
        SyncItem first = engine.submit("w/1", bytes("one")).join();
        SyncItem second = engine.submit("w/1", bytes("two")).join();
        assertThat(second.version()).isGreaterThan(first.version());
        settle();
        SyncItem read = engine.get("w/1").orElseThrow();
        assertThat(text(read)).isEqualTo("two");
        assertThat(read.version()).isEqualTo(second.version());
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void submitManyAndGetMany(Where where) {
        startFor(where);
        Map<String, byte[]> items = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            items.put("many/" + i, bytes("v" + i));
        }
        assertThat(engine.submitMany(items).join()).hasSize(50);
        settle();
        List<String> asked = new ArrayList<>(items.keySet());
        asked.add("many/absent");
        asked.add("many/3");
        Map<String, SyncItem> found = engine.getMany(asked);
        assertThat(found).hasSize(50);
        assertThat(text(found.get("many/42"))).isEqualTo("v42");
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void deletesRemoveItemsEverywhere(Where where) {
        startFor(where);
        engine.submitMany(Map.of("d/1", bytes("1"), "d/2", bytes("2"), "d/3", bytes("3"), "d/4", bytes("4"))).join();
        settle();
        assertThat(engine.delete("d/1").join()).isTrue();
        assertThat(engine.delete("d/none").join()).isFalse();
        assertThat(engine.deleteMany(List.of("d/2", "d/3", "d/none", "d/2")).join()).isEqualTo(2);
        settle();
        assertThat(engine.get("d/1")).isEmpty();
        assertThat(engine.getMany(List.of("d/1", "d/2", "d/3", "d/4"))).containsOnlyKeys("d/4");
        assertThat(engine.countPrefix("d/")).isEqualTo(1);
        assertThat(engine.scanPrefix("d/", 10)).extracting(SyncItem::id).containsExactly("d/4");
        // A queued delete is still a pending write; once it is flushed nothing holds the id.
        assertThat(engine.status("d/1")).isInstanceOf(where == Where.QUEUED ? ItemStatus.Pending.class
                : ItemStatus.Missing.class);
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void aDeletedIdCanBeWrittenAgain(Where where) {
        startFor(where);
        engine.submit("again/1", bytes("first")).join();
        engine.delete("again/1").join();
        settle();
        assertThat(engine.get("again/1")).isEmpty();
        engine.submit("again/1", bytes("second")).join();
        settle();
        assertThat(text(engine.get("again/1").orElseThrow())).isEqualTo("second");
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void prefixScansTakeEveryCharacterLiterally(Where where) {
        startFor(where);
        List<String> ids = List.of("a%/1", "a_/1", "ab/1", "a!/1", "a\\/1", "A%/1", "a%x", "é/1", "é/2");
        for (String id : ids) {
            engine.submit(id, bytes(id)).join();
        }
        settle();
        assertThat(engine.scanPrefix("a%", 100)).extracting(SyncItem::id).containsExactly("a%/1", "a%x");
        assertThat(engine.scanPrefix("a_", 100)).extracting(SyncItem::id).containsExactly("a_/1");
        assertThat(engine.scanPrefix("a!", 100)).extracting(SyncItem::id).containsExactly("a!/1");
        assertThat(engine.scanPrefix("a\\", 100)).extracting(SyncItem::id).containsExactly("a\\/1");
        assertThat(engine.countPrefix("a")).isEqualTo(6);
        assertThat(engine.countPrefix("A")).isEqualTo(1);
        assertThat(engine.countPrefix("é/")).isEqualTo(2);
        assertThat(engine.countPrefix("")).isEqualTo(ids.size());
        assertThat(engine.deletePrefix("a%").join()).isEqualTo(2);
        settle();
        assertThat(engine.countPrefix("a")).isEqualTo(4);
        assertThat(engine.get("a%/1")).isEmpty();
        assertThat(engine.get("A%/1")).isPresent();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void prefixScansPageInIdOrder(Where where) {
        startFor(where);
        for (int i = 0; i < 25; i++) {
            engine.submit(String.format("pg/%02d", i), bytes("v")).join();
        }
        settle();
        engine.submit("pg/07", bytes("rewritten")).join();
        engine.delete("pg/08").join();
        List<String> seen = new ArrayList<>();
        String after = null;
        while (true) {
            List<SyncItem> page = after == null ? engine.scanPrefix("pg/", 10) : engine.scanPrefix("pg/", after, 10);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(item -> seen.add(item.id()));
            after = page.get(page.size() - 1).id();
        }
        assertThat(seen).hasSize(24).doesNotContain("pg/08").isSorted();
        assertThat(engine.scanPrefix("pg/", Integer.MAX_VALUE)).hasSize(24);
        assertThat(engine.scanPrefix("pg/", "pg/20", Integer.MAX_VALUE)).hasSize(4);
        assertThat(engine.listStateIds(SyncItem.DEFAULT_STATE, Integer.MAX_VALUE)).hasSize(24);
        assertThat(engine.countPrefix("pg/")).isEqualTo(24);
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void statesTagItems(Where where) {
        startFor(where);
        engine.submitWith("o/1", bytes("1"), SubmitOptions.defaults().withState("open")).join();
        engine.submitWith("o/2", bytes("2"), SubmitOptions.defaults().withState("open")).join();
        engine.submitWith("o/3", bytes("3"), SubmitOptions.durable().withState("paid")).join();
        engine.submit("o/4", bytes("4")).join();
        settle();
        assertThat(engine.countByState("open")).isEqualTo(2);
        assertThat(engine.listStateIds("open", 10)).containsExactly("o/1", "o/2");
        assertThat(engine.getByState("paid", 10)).extracting(SyncItem::id).containsExactly("o/3");
        assertThat(engine.countByState(SyncItem.DEFAULT_STATE)).isEqualTo(1);

        assertThat(engine.setState("o/1", "paid").join()).isTrue();
        assertThat(engine.setState("o/none", "paid").join()).isFalse();
        assertThat(text(engine.get("o/1").orElseThrow())).isEqualTo("1");
        settle();
        assertThat(engine.listStateIds("open", 10)).containsExactly("o/2");
        assertThat(engine.listStateIds("paid", 10)).containsExactly("o/1", "o/3");
        assertThat(engine.get("o/1").orElseThrow().state()).isEqualTo("paid");

        assertThat(engine.deleteByState("paid").join()).isEqualTo(2);
        settle();
        assertThat(engine.countByState("paid")).isZero();
        assertThat(engine.get("o/3")).isEmpty();
        assertThat(engine.countPrefix("o/")).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void getOrInsertWithLoadsOnlyWhenMissing(Where where) {
        startFor(where);
        AtomicInteger loads = new AtomicInteger();
        SyncItem inserted = engine.getOrInsertWith("goi/1", () -> {
            loads.incrementAndGet();
            return bytes("loaded");
        });
        assertThat(text(inserted)).isEqualTo("loaded");
        settle();
        SyncItem again = engine.getOrInsertWith("goi/1", () -> {
            loads.incrementAndGet();
            return bytes("other");
        });
        assertThat(text(again)).isEqualTo("loaded");
        assertThat(loads).hasValue(1);
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void computeSeesTheCurrentItemAndAppliesItsDecision(Where where) {
        startFor(where);
        for (int i = 0; i < 5; i++) {
            engine.compute("counter/1", current -> {
                int value = current.map(item -> Integer.parseInt(text(item))).orElse(0);
                return Mutation.put(bytes(Integer.toString(value + 1)), SubmitOptions.defaults(), value + 1);
            });
        }
        settle();
        assertThat(text(engine.get("counter/1").orElseThrow())).isEqualTo("5");
        Boolean kept = engine.compute("counter/1", current -> Mutation.keep(current.isPresent()));
        assertThat(kept).isTrue();
        engine.compute("counter/1", current -> Mutation.delete(null));
        settle();
        assertThat(engine.get("counter/1")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void awaitingInvalidationIsForComputeOnly(Where where) {
        startFor(where);
        SubmitOptions awaiting = SubmitOptions.defaults().awaitingInvalidation();
        engine.compute("lock/1", current -> Mutation.put(bytes("locked"), awaiting, null));
        settle();
        assertThat(text(engine.get("lock/1").orElseThrow())).isEqualTo("locked");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.submitWith("lock/1", bytes("x"), awaiting))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is for compute()");
        L1Ref ref = engine.l1Ref("lock/1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.submitOwned(ref, bytes("x"), awaiting))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is for compute()");
        assertThat(text(engine.get("lock/1").orElseThrow())).isEqualTo("locked");
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void itemsExpireWhenTheClockPassesTheirTtl(Where where) {
        startFor(where);
        engine.submitWith("ttl/short", bytes("s"), SubmitOptions.defaults().withTtl(Duration.ofSeconds(10))).join();
        engine.submitWith("ttl/long", bytes("l"), SubmitOptions.defaults().withTtl(Duration.ofMinutes(10))).join();
        engine.submit("ttl/never", bytes("n")).join();
        settle();
        assertThat(engine.countPrefix("ttl/")).isEqualTo(3);
        advance(9_999);
        assertThat(engine.get("ttl/short")).isPresent();
        advance(1);
        assertThat(engine.get("ttl/short")).isEmpty();
        assertThat(engine.contains("ttl/short")).isFalse();
        assertThat(engine.getMany(List.of("ttl/short", "ttl/long"))).containsOnlyKeys("ttl/long");
        assertThat(engine.scanPrefix("ttl/", 10)).extracting(SyncItem::id).containsExactly("ttl/long", "ttl/never");
        assertThat(engine.countPrefix("ttl/")).isEqualTo(2);
        assertThat(engine.countByState(SyncItem.DEFAULT_STATE)).isEqualTo(2);
        advance(Duration.ofHours(1).toMillis());
        assertThat(engine.listStateIds(SyncItem.DEFAULT_STATE, 10)).containsExactly("ttl/never");
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void aCacheEntryExpiresFromMemory(Where where) {
        startFor(where);
        engine.submitWith("cache/1", bytes("c"), SubmitOptions.cache(Duration.ofSeconds(5))).join();
        assertThat(engine.get("cache/1")).isPresent();
        advance(5_000);
        assertThat(engine.get("cache/1")).isEmpty();
        assertThat(engine.status("cache/1")).isEqualTo(new ItemStatus.Missing());
    }
}
