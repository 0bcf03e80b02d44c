package io.tiercache.engine.redis;

import io.tiercache.engine.TimeSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh Redis tier per test on the machine's Redis, under a sub-prefix of its own, with the key names at hand for
 * writing behind the tier's back; every key of the class is deleted afterwards.
 */
abstract class RedisTierFixture {
    static SharedRedis redis;
    RedisTier tier;
    RedisKeys keys;

    /** Starts the per-test sub-prefix, so a failing test's keys are easy to tell apart. */
    abstract String subPrefixStem();

    @BeforeAll
    static void connect() {
        redis = new SharedRedis();
    }

    @AfterAll
    static void deleteKeys() {
        redis.close();
    }

    @BeforeEach
    void open() throws Exception {
        String sub = subPrefixStem() + System.nanoTime() + ":";
        tier = RedisTier.open(redis.config(sub).build(), TimeSource.system());
        keys = new RedisKeys(redis.prefix() + sub);
    }

    @AfterEach
    void close() {
        tier.close();
    }
}
