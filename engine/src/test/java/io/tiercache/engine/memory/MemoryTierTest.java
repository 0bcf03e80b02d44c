package io.tiercache.engine.memory;

import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.ItemTierContract;

/** L1 passes the tier contract. */
class MemoryTierTest extends ItemTierContract {

    @Override
    protected ItemTier openTier(TimeSource time) {
        return new MemoryTier(64L << 20, time);
    }
}
