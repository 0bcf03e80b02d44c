package io.tiercache.engine.tier;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.internal.IdOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link ItemTier} must do, whatever its backend. A tier's test subclasses this and says how to open a
 * fresh, empty tier; later backends (MySQL, Redis) subclass it from their own {@code *IT} classes through the engine's
 * test-jar.
 *
 * <p>Time is the injected {@link #clock}: tiers that expire entries themselves read it, and every scan is given the
 * same value as {@code nowMillis}, so memory and SQL tiers see the same instant.
 */
public abstract class ItemTierContract {
    protected static final long START_MILLIS = 1_700_000_000_000L;

    protected final AtomicLong clock = new AtomicLong(START_MILLIS);
    protected ItemTier tier;

    /** A fresh, empty tier reading {@code time} where it needs the current time. */
    protected abstract ItemTier openTier(TimeSource time) throws Exception;

    @BeforeEach
    void openFreshTier() throws Exception {
        tier = openTier(clock::get);
    }

    @AfterEach
    void closeTier() {
        if (tier != null) {
            tier.close();
        }
    }

    protected long now() {
        return clock.get();
    }

    protected static SyncItem item(String id, long version) {
        return item(id, version, "payload of " + id + " v" + version, SyncItem.DEFAULT_STATE, SyncItem.NO_EXPIRY);
    }

    protected static SyncItem item(String id, long version, String payload, String state, long expiresAt) {
        return SyncItem.create(id, payload.getBytes(StandardCharsets.UTF_8), version, state, expiresAt, START_MILLIS);
    }

    protected void put(SyncItem... items) throws TierAccessException {
        List<TierWrite> writes = new ArrayList<>();
        for (SyncItem item : items) {
            writes.add(new TierWrite.Upsert(item));
        }
        tier.apply(writes);
    }

    protected void putIds(String... ids) throws TierAccessException {
        List<TierWrite> writes = new ArrayList<>();
        for (String id : ids) {
            writes.add(new TierWrite.Upsert(item(id, 1)));
        }
        tier.apply(writes);
    }

    private static List<String> ids(List<SyncItem> items) {
        return items.stream().map(SyncItem::id).toList();
    }

    @Nested
    class Reads {
        @Test
        void anAbsentIdReadsAsEmpty() throws Exception {
            assertThat(tier.get("nobody/here")).isEmpty();
            assertThat(tier.getMany(List.of("a", "b"))).isEmpty();
        }

        @Test
        void getReturnsEveryFieldAsWritten() throws Exception {
            SyncItem json = SyncItem.create("doc/1", "{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8), 7, "paid",
                    START_MILLIS + 60_000, START_MILLIS - 5);
            SyncItem binary = SyncItem.create("bin/1", new byte[]{0, (byte) 0xff, 10}, 8, "default",
                    SyncItem.NO_EXPIRY, START_MILLIS);
            SyncItem empty = SyncItem.create("bin/empty", new byte[0], 9, "default", SyncItem.NO_EXPIRY, START_MILLIS);
            put(json, binary, empty);

            for (SyncItem written : List.of(json, binary, empty)) {
                SyncItem read = tier.get(written.id()).orElseThrow();
                assertThat(read).isEqualTo(written);
                assertThat(read.payload()).isEqualTo(written.payload());
                assertThat(read.contentType()).isEqualTo(written.contentType());
                assertThat(read.contentHash()).isEqualTo(written.contentHash());
                assertThat(read.isIntact()).isTrue();
            }
        }

        @Test
        void getManyReturnsOnlyThePresentIds() throws Exception {
            putIds("m/1", "m/2", "m/3");
            Map<String, SyncItem> found = tier.getMany(List.of("m/1", "m/3", "m/404"));
            assertThat(found).containsOnlyKeys("m/1", "m/3");
            assertThat(found.get("m/3").version()).isEqualTo(1);
        }

        @Test
        void getManyHandlesMoreIdsThanOneQueryTakes() throws Exception {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                ids.add(String.format("many/%04d", i));
            }
            putIds(ids.toArray(new String[0]));
            List<String> asked = new ArrayList<>(ids);
            asked.add("many/absent");
            assertThat(tier.getMany(asked)).hasSize(1200);
        }
    }

    @Nested
    class VersionGuard {
        @Test
        void aNewerUpsertReplacesTheItem() throws Exception {
            put(item("v/1", 5));
            put(item("v/1", 6));
            assertThat(tier.get("v/1").orElseThrow().version()).isEqualTo(6);
        }

        @Test
        void anOlderUpsertNeverOverwritesANewerOne() throws Exception {
            put(item("v/1", 10, "new", "default", SyncItem.NO_EXPIRY));
            put(item("v/1", 9, "old", "other", SyncItem.NO_EXPIRY));
            SyncItem stored = tier.get("v/1").orElseThrow();
            assertThat(stored.version()).isEqualTo(10);
            assertThat(new String(stored.payload(), StandardCharsets.UTF_8)).isEqualTo("new");
            assertThat(stored.state()).isEqualTo("default");
        }

        @Test
        void anUpsertOfTheSameVersionIsIdempotent() throws Exception {
            put(item("v/1", 10, "first", "default", SyncItem.NO_EXPIRY));
            put(item("v/1", 10, "second", "default", SyncItem.NO_EXPIRY));
            put(item("v/1", 10, "first", "default", SyncItem.NO_EXPIRY));
            SyncItem stored = tier.get("v/1").orElseThrow();
            assertThat(new String(stored.payload(), StandardCharsets.UTF_8)).isEqualTo("first");
            assertThat(tier.size()).isEqualTo(1);
        }

        @Test
        void withinOneBatchTheNewestVersionWinsWhateverTheOrder() throws Exception {
            tier.apply(List.of(new TierWrite.Upsert(item("b/1", 3)), new TierWrite.Upsert(item("b/1", 5)),
                    new TierWrite.Upsert(item("b/1", 4))));
            assertThat(tier.get("b/1").orElseThrow().version()).isEqualTo(5);
        }

        @Test
        void aDeleteWithANewerVersionRemovesTheItem() throws Exception {
            put(item("d/1", 5));
            tier.apply(List.of(new TierWrite.Delete("d/1", 6)));
            assertThat(tier.get("d/1")).isEmpty();
            assertThat(tier.countPrefix("d/", now())).isZero();
        }

        @Test
        void aDeleteOlderThanOrEqualToTheStoredVersionLeavesItAlone() throws Exception {
            put(item("d/1", 5));
            tier.apply(List.of(new TierWrite.Delete("d/1", 4)));
            assertThat(tier.get("d/1")).isPresent();
            tier.apply(List.of(new TierWrite.Delete("d/1", 5)));
            assertThat(tier.get("d/1").orElseThrow().version()).isEqualTo(5);
        }

        @Test
        void deletingAnAbsentIdIsHarmless() throws Exception {
            tier.apply(List.of(new TierWrite.Delete("d/none", 5)));
            assertThat(tier.get("d/none")).isEmpty();
        }

        @Test
        void anEmptyBatchDoesNothing() throws Exception {
            tier.apply(List.of());
            assertThat(tier.size()).isZero();
        }
    }

    @Nested
    class Prefixes {
        private final String[] ids = {"p/a", "p/b", "p/%x", "p/_y", "p/!z", "p/\\w", "p/A", "P/a", "px", "p%",
            "p/é", "p/\uD83D\uDE00", "p/\uFFFD", "q/a"};

        @BeforeEach
        void storeTrickyIds() throws Exception {
            putIds(ids);
        }

        private List<String> expected(String prefix) {
            List<String> out = new ArrayList<>();
            for (String id : ids) {
                if (id.startsWith(prefix)) {
                    out.add(id);
                }
            }
            out.sort(IdOrder.COMPARATOR);
            return out;
        }

        private void assertPrefix(String prefix) throws Exception {
            List<String> want = expected(prefix);
            assertThat(ids(tier.scanPrefix(prefix, null, 100, now()))).as("scan '%s'", prefix).isEqualTo(want);
            assertThat(tier.idsByPrefix(prefix, null, 100, now())).as("ids '%s'", prefix).isEqualTo(want);
            assertThat(tier.countPrefix(prefix, now())).as("count '%s'", prefix).isEqualTo(want.size());
        }

        @Test
        void likeWildcardsInAPrefixAreLiteral() throws Exception {
            assertPrefix("p/%");
            assertPrefix("p/_");
            assertPrefix("p%");
            assertPrefix("p_");
        }

        @Test
        void escapeCharactersInAPrefixAreLiteral() throws Exception {
            assertPrefix("p/!");
            assertPrefix("p/\\");
            assertPrefix("p/!z");
        }

        @Test
        void prefixesAreCaseSensitive() throws Exception {
            assertPrefix("p/");
            assertPrefix("P/");
            assertPrefix("p/A");
            assertPrefix("p/a");
        }

        @Test
        void theEmptyPrefixMatchesEverything() throws Exception {
            assertPrefix("");
            assertThat(tier.countPrefix("", now())).isEqualTo(ids.length);
        }

        @Test
        void nonAsciiPrefixesMatchExactly() throws Exception {
            assertPrefix("p/é");
            assertPrefix("p/\uD83D\uDE00");
        }

        @Test
        void resultsAreInCodePointOrder() throws Exception {
            List<String> scanned = ids(tier.scanPrefix("p/", null, 100, now()));
            // U+1F600 is above U+FFFD in code points, though its UTF-16 surrogates sort below it.
            assertThat(scanned.indexOf("p/\uFFFD")).isLessThan(scanned.indexOf("p/\uD83D\uDE00"));
            assertThat(scanned).isSortedAccordingTo(IdOrder.COMPARATOR);
        }

        @Test
        void pagingWithAfterIdVisitsEachItemOnce() throws Exception {
            List<String> paged = new ArrayList<>();
            List<String> idPaged = new ArrayList<>();
            String after = null;
            String idAfter = null;
            for (int guard = 0; guard < 100; guard++) {
                List<String> page = ids(tier.scanPrefix("p", after, 3, now()));
                List<String> idPage = tier.idsByPrefix("p", idAfter, 3, now());
                assertThat(page).hasSizeLessThanOrEqualTo(3);
                paged.addAll(page);
                idPaged.addAll(idPage);
                if (page.isEmpty() && idPage.isEmpty()) {
                    break;
                }
                after = page.isEmpty() ? after : page.get(page.size() - 1);
                idAfter = idPage.isEmpty() ? idAfter : idPage.get(idPage.size() - 1);
            }
            assertThat(paged).isEqualTo(expected("p"));
            assertThat(idPaged).isEqualTo(expected("p"));
        }

        @Test
        void afterIdNeedNotBeAStoredId() throws Exception {
            assertThat(ids(tier.scanPrefix("p/", "p/a0", 100, now()))).containsExactly("p/b", "p/é", "p/\uFFFD",
                    "p/\uD83D\uDE00");
        }

        @Test
        void limitCutsThePage() throws Exception {
            assertThat(tier.scanPrefix("", null, 2, now())).hasSize(2);
            assertThat(tier.idsByPrefix("", null, 1, now())).hasSize(1);
        }
    }

    @Nested
    class States {
        @BeforeEach
        void storeTaggedItems() throws Exception {
            put(item("s/1", 1, "x", "paid", SyncItem.NO_EXPIRY), item("s/2", 1, "x", "open", SyncItem.NO_EXPIRY),
                    item("s/3", 1, "x", "paid", SyncItem.NO_EXPIRY), item("t/4", 1, "x", "paid", SyncItem.NO_EXPIRY),
                    item("s/5", 1, "x", "Paid", SyncItem.NO_EXPIRY));
        }

        @Test
        void stateScansCountsAndIdsAgree() throws Exception {
            assertThat(ids(tier.scanState("paid", null, 100, now()))).containsExactly("s/1", "s/3", "t/4");
            assertThat(tier.idsByState("paid", null, 100, now())).containsExactly("s/1", "s/3", "t/4");
            assertThat(tier.countByState("paid", now())).isEqualTo(3);
            assertThat(tier.countByState("Paid", now())).isEqualTo(1);
            assertThat(tier.countByState("nobody", now())).isZero();
        }

        @Test
        void stateScansPageWithAfterId() throws Exception {
            assertThat(ids(tier.scanState("paid", "s/1", 1, now()))).containsExactly("s/3");
            assertThat(tier.idsByState("paid", "s/3", 10, now())).containsExactly("t/4");
        }

        @Test
        void aNewerVersionMovesAnItemToItsNewState() throws Exception {
            put(item("s/1", 2, "x", "open", SyncItem.NO_EXPIRY));
            assertThat(tier.idsByState("paid", null, 100, now())).containsExactly("s/3", "t/4");
            assertThat(tier.idsByState("open", null, 100, now())).containsExactly("s/1", "s/2");
        }
    }

    @Nested
    class Expiry {
        @BeforeEach
        void storeExpiringItems() throws Exception {
            put(item("e/soon", 1, "x", "ttl", START_MILLIS + 1_000), item("e/later", 1, "x", "ttl", START_MILLIS + 5_000),
                    item("e/never", 1, "x", "ttl", SyncItem.NO_EXPIRY));
        }

        @Test
        void itemsNotYetExpiredAreListed() throws Exception {
            assertThat(tier.countPrefix("e/", now())).isEqualTo(3);
            assertThat(tier.countByState("ttl", now())).isEqualTo(3);
        }

        @Test
        void scansAndCountsSkipItemsExpiredAtNow() throws Exception {
            clock.set(START_MILLIS + 1_000);
            assertThat(ids(tier.scanPrefix("e/", null, 10, now()))).containsExactly("e/later", "e/never");
            assertThat(tier.idsByPrefix("e/", null, 10, now())).containsExactly("e/later", "e/never");
            assertThat(tier.countPrefix("e/", now())).isEqualTo(2);
            assertThat(ids(tier.scanState("ttl", null, 10, now()))).containsExactly("e/later", "e/never");
            assertThat(tier.idsByState("ttl", null, 10, now())).containsExactly("e/later", "e/never");
            assertThat(tier.countByState("ttl", now())).isEqualTo(2);
            clock.set(START_MILLIS + 10_000);
            assertThat(tier.idsByPrefix("e/", null, 10, now())).containsExactly("e/never");
        }

        @Test
        void anExpiredItemIsNeverServedAsLive() throws Exception {
            clock.set(START_MILLIS + 2_000);
            // A tier may return an expired item from get (the engine decides); it must not pretend it is live.
            tier.get("e/soon").ifPresent(item -> assertThat(item.isExpiredAt(now())).isTrue());
            assertThat(tier.get("e/later").orElseThrow().isExpiredAt(now())).isFalse();
        }

        @Test
        void purgeExpiredRemovesExactlyTheExpiredItems() throws Exception {
            long purged = tier.purgeExpired(START_MILLIS + 1_000);
            assertThat(purged).isEqualTo(1);
            assertThat(tier.get("e/soon")).isEmpty();
            assertThat(tier.get("e/later")).isPresent();
            assertThat(tier.size()).isEqualTo(2);
            assertThat(tier.purgeExpired(START_MILLIS + 1_000)).isZero();
            assertThat(tier.purgeExpired(START_MILLIS + 60_000)).isEqualTo(1);
            assertThat(tier.get("e/never")).isPresent();
        }
    }

    /**
     * Batches that overwrite many stored items, as the write-behind does under a stream of overwrites: a backend may
     * rewrite a row in place when its state, expiry and leaf stay (SQLite does, once a few batches in a row were
     * mostly overwrites: hence the rounds), and must still get every field, index and version guard right when they
     * change, when rows are new, and when a batch mixes all of these.
     */
    @Nested
    class OverwriteBatches {
        private static final int ITEMS = 120;
        private static final int ROUNDS = 20;

        private SyncItem nth(int i, long version, String state, long expiresAt) {
            return item("ow/" + i, version, "v" + version + " of " + i, state, expiresAt);
        }

        private void putAll(long version, java.util.function.IntFunction<SyncItem> itemOf) throws Exception {
            List<TierWrite> writes = new ArrayList<>();
            for (int i = 0; i < ITEMS; i++) {
                writes.add(new TierWrite.Upsert(itemOf.apply(i)));
            }
            tier.apply(writes);
        }

        /** Rounds 1..{@code rounds} of every item, kept in state "open", odd ones expiring at +1s. */
        private void overwriteRounds(int rounds) throws Exception {
            for (long version = 1; version <= rounds; version++) {
                long v = version;
                putAll(v, i -> nth(i, v, "open", i % 2 == 0 ? SyncItem.NO_EXPIRY : START_MILLIS + 1_000));
            }
        }

        @Test
        void overwritesWithTheSameStateAndExpiryReplaceEveryField() throws Exception {
            overwriteRounds(ROUNDS);
            for (int i = 0; i < ITEMS; i++) {
                SyncItem stored = tier.get("ow/" + i).orElseThrow();
                SyncItem expected = nth(i, ROUNDS, "open", i % 2 == 0 ? SyncItem.NO_EXPIRY : START_MILLIS + 1_000);
                assertThat(stored.version()).isEqualTo(ROUNDS);
                assertThat(stored.expiresAt()).isEqualTo(expected.expiresAt());
                assertThat(stored.payload()).isEqualTo(expected.payload());
                assertThat(stored.contentHash()).isEqualTo(expected.contentHash());
                assertThat(stored.isIntact()).isTrue();
            }
            assertThat(tier.countByState("open", now())).isEqualTo(ITEMS);
            assertThat(tier.size()).isEqualTo(ITEMS);
        }

        @Test
        void aBatchMixingKeptAndChangedStatesExpiriesNewRowsAndStaleVersionsStoresEachRight() throws Exception {
            overwriteRounds(ROUNDS);
            List<TierWrite> writes = new ArrayList<>();
            for (int i = 0; i < ITEMS; i++) {
                long expiresAt = i % 2 == 0 ? SyncItem.NO_EXPIRY : START_MILLIS + 1_000;
                writes.add(new TierWrite.Upsert(switch (i % 5) {
                    case 0 -> nth(i, ROUNDS + 1, "open", expiresAt);              // same state and expiry
                    case 1 -> nth(i, ROUNDS + 1, "paid", expiresAt);              // a new state
                    case 2 -> nth(i, ROUNDS + 1, "open", START_MILLIS + 9_000);   // a new expiry
                    case 3 -> nth(i, ROUNDS - 1, "open", expiresAt);              // older than stored: ignored
                    default -> nth(i, ROUNDS, "open", expiresAt);                 // the stored version again
                }));
            }
            for (int i = 0; i < 10; i++) {
                writes.add(new TierWrite.Upsert(item("ow/new/" + i, 1, "new " + i, "open", SyncItem.NO_EXPIRY)));
            }
            tier.apply(writes);

            for (int i = 0; i < ITEMS; i++) {
                SyncItem stored = tier.get("ow/" + i).orElseThrow();
                long expiresAt = i % 2 == 0 ? SyncItem.NO_EXPIRY : START_MILLIS + 1_000;
                SyncItem expected = switch (i % 5) {
                    case 0 -> nth(i, ROUNDS + 1, "open", expiresAt);
                    case 1 -> nth(i, ROUNDS + 1, "paid", expiresAt);
                    case 2 -> nth(i, ROUNDS + 1, "open", START_MILLIS + 9_000);
                    default -> nth(i, ROUNDS, "open", expiresAt);
                };
                assertThat(stored.version()).as("ow/%d", i).isEqualTo(expected.version());
                assertThat(stored.state()).as("ow/%d", i).isEqualTo(expected.state());
                assertThat(stored.expiresAt()).as("ow/%d", i).isEqualTo(expected.expiresAt());
                assertThat(stored.payload()).as("ow/%d", i).isEqualTo(expected.payload());
            }
            assertThat(tier.countByState("paid", now())).isEqualTo(ITEMS / 5);
            assertThat(tier.countByState("open", now())).isEqualTo(ITEMS - ITEMS / 5 + 10);
            // Expiry is indexed too: what expires at +1s is exactly the odd items whose expiry was kept.
            long expiringAtOneSecond = java.util.stream.IntStream.range(0, ITEMS)
                    .filter(i -> i % 2 == 1 && i % 5 != 2).count();
            assertThat(tier.purgeExpired(START_MILLIS + 1_000)).isEqualTo(expiringAtOneSecond);
            assertThat(tier.get("ow/2")).isPresent();
            assertThat(tier.purgeExpired(START_MILLIS + 9_000)).isEqualTo(ITEMS / 5);
            assertThat(tier.size()).isEqualTo(ITEMS + 10 - expiringAtOneSecond - ITEMS / 5);
        }

        @Test
        void overwritesAfterALongRunOfNewIdsAreStoredAsWritten() throws Exception {
            for (int batch = 0; batch < 40; batch++) {
                List<TierWrite> writes = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    writes.add(new TierWrite.Upsert(item("ow/run/" + batch + "/" + i, 1)));
                }
                tier.apply(writes);
            }
            for (int round = 2; round < 40; round++) {
                List<TierWrite> writes = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    writes.add(new TierWrite.Upsert(item("ow/run/0/" + i, round)));
                }
                tier.apply(writes);
                for (int i = 0; i < 5; i++) {
                    assertThat(tier.get("ow/run/0/" + i).orElseThrow().payload()).as("round %d", round)
                            .isEqualTo(item("ow/run/0/" + i, round).payload());
                }
            }
            assertThat(tier.size()).isEqualTo(200);
        }
    }

    @Nested
    class Housekeeping {
        @Test
        void sizeCountsStoredItems() throws Exception {
            assertThat(tier.size()).isZero();
            putIds("z/1", "z/2", "z/3");
            assertThat(tier.size()).isEqualTo(3);
            tier.apply(List.of(new TierWrite.Delete("z/2", 2)));
            assertThat(tier.size()).isEqualTo(2);
        }

        @Test
        void pingAnswers() throws Exception {
            tier.ping();
        }

        @Test
        void describeNamesTheTier() {
            assertThat(tier.describe()).isNotBlank();
            assertThat(tier.level()).isNotNull();
        }
    }

    /** Tiers that coordinate conditional writes between nodes ({@link CoordinatingTier}); skipped for the others. */
    @Nested
    class CompareAndSet {
        private CoordinatingTier cas;

        @BeforeEach
        void onlyForCoordinatingTiers() {
            Assumptions.assumeTrue(tier instanceof CoordinatingTier, "this tier does not coordinate");
            cas = (CoordinatingTier) tier;
        }

        @Test
        void anAbsentIdReadsAsNothing() throws Exception {
            CoordinatingTier.Snapshot seen = cas.readForUpdate("cas/none");
            assertThat(seen.token()).isEqualTo(CoordinatingTier.Token.NOTHING);
            assertThat(seen.item()).isEmpty();
        }

        @Test
        void aSetOnNothingStoresTheItemAndItsVersionBecomesTheToken() throws Exception {
            assertThat(cas.compareAndApply(CoordinatingTier.Token.NOTHING, new TierWrite.Upsert(item("cas/a", 5))))
                    .isTrue();
            CoordinatingTier.Snapshot seen = cas.readForUpdate("cas/a");
            assertThat(seen.token()).isEqualTo(CoordinatingTier.Token.item(5));
            assertThat(seen.item()).contains(item("cas/a", 5));
            assertThat(tier.get("cas/a")).contains(item("cas/a", 5));
        }

        @Test
        void aStaleTokenLosesAndChangesNothing() throws Exception {
            put(item("cas/b", 5));
            assertThat(cas.compareAndApply(CoordinatingTier.Token.NOTHING, new TierWrite.Upsert(item("cas/b", 9))))
                    .isFalse();
            assertThat(cas.compareAndApply(CoordinatingTier.Token.item(4), new TierWrite.Upsert(item("cas/b", 9))))
                    .isFalse();
            assertThat(cas.compareAndApply(CoordinatingTier.Token.item(4), new TierWrite.Delete("cas/b", 9)))
                    .isFalse();
            assertThat(tier.get("cas/b")).contains(item("cas/b", 5));
        }

        @Test
        void aDeleteRemovesTheItemAndItsTokenGuardsTheNextSet() throws Exception {
            put(item("cas/c", 5));
            assertThat(cas.compareAndApply(CoordinatingTier.Token.item(5), new TierWrite.Delete("cas/c", 6))).isTrue();
            CoordinatingTier.Snapshot seen = cas.readForUpdate("cas/c");
            assertThat(seen.item()).isEmpty();
            assertThat(tier.get("cas/c")).isEmpty();
            assertThat(tier.idsByPrefix("cas/", null, 10, now())).isEmpty();
            assertThat(cas.compareAndApply(CoordinatingTier.Token.item(5), new TierWrite.Upsert(item("cas/c", 7))))
                    .isFalse();
            assertThat(cas.compareAndApply(seen.token(), new TierWrite.Upsert(item("cas/c", 7)))).isTrue();
            assertThat(tier.get("cas/c")).contains(item("cas/c", 7));
        }

        /** Until L3 takes the same delete, a copy read from L3 must not be cached back over the tombstone. */
        @Test
        void aTombstoneRefusesOlderCopiesButNotNewerOnes() throws Exception {
            put(item("cas/d", 5));
            cas.compareAndApply(CoordinatingTier.Token.item(5), new TierWrite.Delete("cas/d", 6));
            Assumptions.assumeTrue(cas.readForUpdate("cas/d").token().kind() == CoordinatingTier.Token.Kind.DELETED,
                    "this tier deletes outright, keeping no tombstone");
            put(item("cas/d", 5));
            assertThat(tier.get("cas/d")).isEmpty();
            put(item("cas/d", 8));
            assertThat(tier.get("cas/d")).contains(item("cas/d", 8));
            assertThat(cas.readForUpdate("cas/d").token()).isEqualTo(CoordinatingTier.Token.item(8));
        }

        @Test
        void concurrentReadModifyWriteLoopsLoseNoIncrement() throws Exception {
            int threads = 4;
            int increments = 150;
            java.util.concurrent.atomic.AtomicLong versions = new java.util.concurrent.atomic.AtomicLong(100);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<Integer>> runs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    runs.add(pool.submit(() -> {
                        int lost = 0;
                        for (int i = 0; i < increments; i++) {
                            while (true) {
                                CoordinatingTier.Snapshot seen = cas.readForUpdate("cas/counter");
                                long count = seen.item().map(it -> Long.parseLong(
                                        new String(it.payload(), StandardCharsets.UTF_8))).orElse(0L);
                                SyncItem next = item("cas/counter", versions.incrementAndGet(),
                                        Long.toString(count + 1), SyncItem.DEFAULT_STATE, SyncItem.NO_EXPIRY);
                                if (cas.compareAndApply(seen.token(), new TierWrite.Upsert(next))) {
                                    break;
                                }
                                lost++;
                            }
                        }
                        return lost;
                    }));
                }
                for (java.util.concurrent.Future<Integer> run : runs) {
                    run.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            SyncItem counter = tier.get("cas/counter").orElseThrow();
            assertThat(new String(counter.payload(), StandardCharsets.UTF_8))
                    .isEqualTo(Long.toString((long) threads * increments));
        }
    }
}
