package io.tiercache.engine.memory;

import io.tiercache.engine.L1Listener;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** L1 tells its listeners of every entry that leaves it, after the entry is dead, and of nothing else. */
class MemoryTierListenerTest {
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final TimeSource time = now::get;
    private final Recorder recorder = new Recorder();

    private static final class Recorder implements L1Listener {
        final List<String> heard = new CopyOnWriteArrayList<>();

        @Override
        public void left(String id) {
            heard.add(id);
        }

        @Override
        public void clearedAll() {
            heard.add("*");
        }
    }

    private SyncItem item(String id, long version, long expiresAt) {
        return SyncItem.create(id, ("v" + version).getBytes(StandardCharsets.UTF_8), version, "default", expiresAt,
                now.get());
    }

    private MemoryTier tier(long maxBytes) {
        MemoryTier tier = new MemoryTier(maxBytes, time);
        tier.addListener(recorder);
        return tier;
    }

    @Test
    void invalidationsAreHeardOnceTheEntryIsDeadAndWritesAreNot() {
        MemoryTier tier = tier(1 << 20);
        List<String> seenByListener = new CopyOnWriteArrayList<>();
        tier.apply(new TierWrite.Upsert(item("c", 1, SyncItem.NO_EXPIRY)));
        io.tiercache.engine.L1Ref ref = tier.ref("c");
        tier.addListener(new L1Listener() {
            @Override
            public void left(String id) {
                seenByListener.add(id + " live=" + ref.live() + " get=" + tier.get(id).isPresent());
            }

            @Override
            public void clearedAll() {
            }
        });
        tier.apply(new TierWrite.Upsert(item("a", 1, SyncItem.NO_EXPIRY)));
        tier.apply(new TierWrite.Upsert(item("a", 2, SyncItem.NO_EXPIRY)));
        tier.apply(new TierWrite.Upsert(item("a", 30, SyncItem.NO_EXPIRY))); // another size: same entry, re-weighed
        tier.apply(new TierWrite.Delete("a", 31));
        tier.fill(item("b", 1, SyncItem.NO_EXPIRY));
        tier.raiseFloor("b", 5);
        tier.invalidate("c");
        tier.invalidate("never-held");
        tier.invalidateAll();

        assertThat(recorder.heard).containsExactly("c", "*");
        assertThat(seenByListener).containsExactly("c live=false get=false");
    }

    @Test
    void aRefusedOlderWriteChangesNothing() {
        MemoryTier tier = tier(1 << 20);
        tier.apply(new TierWrite.Upsert(item("a", 5, SyncItem.NO_EXPIRY)));
        SyncItem held = tier.get("a").orElseThrow();

        assertThat(tier.apply(new TierWrite.Upsert(item("a", 4, SyncItem.NO_EXPIRY)))).isFalse();
        assertThat(tier.fill(item("a", 5, SyncItem.NO_EXPIRY))).isFalse();
        assertThat(tier.raiseFloor("a", 5)).isFalse();

        assertThat(tier.get("a")).containsSame(held);
        assertThat(recorder.heard).isEmpty();
    }

    @Test
    void evictionsAreHeard() {
        MemoryTier tier = tier(10_000);
        for (int i = 0; i < 200; i++) {
            tier.apply(new TierWrite.Upsert(item("k" + i, 1, SyncItem.NO_EXPIRY)));
        }
        tier.cleanUp();
        long evicted = 200 - tier.size();
        assertThat(evicted).isPositive();
        // Each evicted id is heard once; the ids L1 still holds are not heard at all.
        assertThat(recorder.heard).hasSize((int) evicted);
        for (int i = 0; i < 200; i++) {
            String id = "k" + i;
            long times = recorder.heard.stream().filter(id::equals).count();
            assertThat(times).as(id).isEqualTo(tier.get(id).isPresent() ? 0 : 1);
        }
    }

    @Test
    void expiriesAreHeard() {
        MemoryTier tier = tier(1 << 20);
        tier.apply(new TierWrite.Upsert(item("short", 1, now.get() + 1_000)));
        tier.apply(new TierWrite.Upsert(item("purged", 1, now.get() + 1_000)));
        recorder.heard.clear();

        now.addAndGet(2_000);
        tier.purgeExpired(now.get());

        assertThat(recorder.heard).containsExactlyInAnyOrder("short", "purged");
    }

    @Test
    void aRemovedListenerHearsNothingMore() {
        MemoryTier tier = tier(1 << 20);
        tier.removeListener(recorder);
        tier.apply(new TierWrite.Upsert(item("a", 1, SyncItem.NO_EXPIRY)));
        tier.invalidate("a");
        tier.invalidateAll();
        assertThat(recorder.heard).isEmpty();
    }
}
