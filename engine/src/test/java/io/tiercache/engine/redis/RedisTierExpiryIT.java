package io.tiercache.engine.redis;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Redis drops an expiring item by itself at its PEXPIREAT deadline, in real time (Redis's clock cannot be injected,
 * so these tests wait, with a bounded poll); the index entries it leaves are cleaned by the next scan over them.
 */
class RedisTierExpiryIT extends RedisTierFixture {
    @Override
    String subPrefixStem() {
        return "e";
    }

    private static SyncItem item(String id, long version, long expiresAt) {
        return SyncItem.create(id, "x".getBytes(StandardCharsets.UTF_8), version, "ttl", expiresAt, 1L);
    }

    private void awaitGone(byte[] key, long withinMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + withinMillis;
        while (redis.raw().exists(key) > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(redis.raw().exists(key)).as("key dropped by Redis").isZero();
    }

    @Test
    void redisDropsTheItemAtItsExpiryAndTheNextScanCleansTheIndex() throws Exception {
        long expiresAt = System.currentTimeMillis() + 1_500;
        tier.apply(List.of(new TierWrite.Upsert(item("t/short", 1, expiresAt)),
                new TierWrite.Upsert(item("t/long", 1, SyncItem.NO_EXPIRY))));
        byte[] key = keys.item("t/short");
        assertThat(redis.raw().pexpiretime(key)).as("absolute deadline in ms").isCloseTo(expiresAt, within(250L));
        assertThat(tier.get("t/short").orElseThrow().expiresAt()).isEqualTo(expiresAt);
        assertThat(tier.idsByState("ttl", null, 10, System.currentTimeMillis())).containsExactly("t/long", "t/short");

        awaitGone(key, 5_000);
        assertThat(tier.get("t/short")).isEmpty();
        assertThat(tier.size()).as("the index still names it until a scan passes").isEqualTo(2);
        assertThat(tier.idsByPrefix("t/", null, 10, System.currentTimeMillis())).containsExactly("t/long");
        assertThat(redis.raw().zscore(keys.ids("t/"), "t/short".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(redis.raw().zscore(keys.expiries("t/"), "t/short".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(tier.size()).isEqualTo(1);
        assertThat(tier.countByState("ttl", System.currentTimeMillis())).isEqualTo(1);
        assertThat(redis.raw().zcard(keys.state("t/", "ttl"))).as("state scans clean their own set").isEqualTo(1);
    }

    @Test
    void aNewerVersionWithoutExpiryRemovesTheDeadline() throws Exception {
        tier.apply(List.of(new TierWrite.Upsert(item("t/1", 1, System.currentTimeMillis() + 60_000))));
        assertThat(redis.raw().pttl(keys.item("t/1"))).isPositive();
        tier.apply(List.of(new TierWrite.Upsert(item("t/1", 2, SyncItem.NO_EXPIRY))));
        assertThat(redis.raw().pttl(keys.item("t/1"))).isEqualTo(-1);
        assertThat(redis.raw().zcard(keys.expiries("t/"))).isZero();
    }

    @Test
    void anItemAlreadyExpiredWhenWrittenReplacesAnOlderCopyWithNothing() throws Exception {
        tier.apply(List.of(new TierWrite.Upsert(item("t/1", 1, SyncItem.NO_EXPIRY))));
        tier.apply(List.of(new TierWrite.Upsert(item("t/1", 2, System.currentTimeMillis() - 1))));
        assertThat(tier.get("t/1")).isEmpty();
        assertThat(tier.size()).isZero();
    }

    @Test
    void theDeadlineIsTheTimeLeftOnTheEngineClockWhateverTheSkew() throws Exception {
        long skew = 3_600_000;
        String sub = "skew" + System.nanoTime() + ":";
        try (RedisTier behind = RedisTier.open(redis.config(sub).build(),
                () -> System.currentTimeMillis() - skew)) {
            long engineNow = System.currentTimeMillis() - skew;
            behind.apply(List.of(new TierWrite.Upsert(item("t/skew", 1, engineNow + 10_000))));
            SyncItem read = behind.get("t/skew").orElseThrow();
            assertThat(read.expiresAt()).as("stored on the engine's clock").isEqualTo(engineNow + 10_000);
            byte[] key = new RedisKeys(redis.prefix() + sub).item("t/skew");
            assertThat(redis.raw().pttl(key)).as("ten seconds left, not an hour ago").isBetween(8_000L, 10_000L);
        }
    }

    @Test
    void purgeRemovesItemsExpiredOnTheCallersClockBeforeRedisDoes() throws Exception {
        long now = System.currentTimeMillis();
        tier.apply(List.of(new TierWrite.Upsert(item("t/a", 1, now + 60_000)),
                new TierWrite.Upsert(item("u/b", 1, now + 120_000)),
                new TierWrite.Upsert(item("root", 1, now + 60_000)),
                new TierWrite.Upsert(item("t/c", 1, SyncItem.NO_EXPIRY))));
        assertThat(tier.purgeExpired(now + 60_000)).isEqualTo(2);
        assertThat(tier.idsByPrefix("", null, 10, now)).containsExactly("t/c", "u/b");
        assertThat(redis.raw().exists(keys.item("t/a"), keys.item("root"))).isZero();
        assertThat(tier.countByState("ttl", now)).isEqualTo(2);
    }
}
