package io.tiercache.engine.tier;

import io.tiercache.engine.SyncItem;

/**
 * One change a tier applies. Every write carries a version and only wins over an older one, so replaying a batch
 * (after a crash, from the WAL) is harmless: writes are idempotent and never move an item backwards.
 */
public sealed interface TierWrite {
    String id();

    long version();

    /** Store {@code item} unless the tier already holds the same or a newer version. */
    record Upsert(SyncItem item) implements TierWrite {
        @Override
        public String id() {
            return item.id();
        }

        @Override
        public long version() {
            return item.version();
        }
    }

    /** Remove the item unless the tier holds a version at least as new as {@code version}. */
    record Delete(String id, long version) implements TierWrite {
    }
}
