package io.tiercache.engine.redis;

import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.ItemTierContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tier contract again, under a prefix full of glob characters and a hash tag of its own ({@code {it}} puts every
 * key in one Cluster slot, which the layout allows): key names, SCAN patterns and cleanup must not care.
 */
class RedisTierOddPrefixIT extends ItemTierContract {
    private static SharedRedis redis;
    private static final AtomicInteger TESTS = new AtomicInteger();

    @BeforeAll
    static void connect() {
        redis = new SharedRedis("tc{it}*?[x]\\%}:");
    }

    @AfterAll
    static void deleteKeysAndCheckNoneAreLeft() {
        try {
            assertThat(redis.deleteKeys()).as("keys the contract left").isPositive();
            assertThat(redis.countKeys()).isZero();
        } finally {
            redis.close();
        }
    }

    @Override
    protected ItemTier openTier(TimeSource time) throws Exception {
        return RedisTier.open(redis.config("t" + TESTS.incrementAndGet() + ":").build(), time);
    }
}
