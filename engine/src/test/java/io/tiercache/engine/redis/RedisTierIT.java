package io.tiercache.engine.redis;

import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.ItemTierContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * L2 on the machine's Redis passes the tier contract. Each test gets an empty tier under its own key prefix; the
 * contract's clock runs in 2023 while Redis's runs today, which the tier handles by giving each item the time it has
 * left on the engine's clock.
 */
class RedisTierIT extends ItemTierContract {
    private static SharedRedis redis;
    private static final AtomicInteger TESTS = new AtomicInteger();

    @BeforeAll
    static void connect() {
        redis = new SharedRedis();
    }

    @AfterAll
    static void deleteKeys() {
        redis.close();
    }

    @Override
    protected ItemTier openTier(TimeSource time) throws Exception {
        return RedisTier.open(redis.config("t" + TESTS.incrementAndGet() + ":").build(), time);
    }
}
