package io.tiercache.engine.memory;

import io.tiercache.engine.L1Ref;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An id's L1 entry is one object while the id stays in L1; values attached to it end with the item they came from. */
class MemoryTierRefTest {
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final TimeSource time = now::get;
    private final Object owner = new Object();

    private SyncItem item(String id, long version, String payload, long expiresAt) {
        return SyncItem.create(id, payload.getBytes(StandardCharsets.UTF_8), version, "default", expiresAt,
                now.get());
    }

    private SyncItem item(String id, long version, String payload) {
        return item(id, version, payload, SyncItem.NO_EXPIRY);
    }

    @Test
    void theEntryStaysTheSameThroughWritesOfAnySizeDeletesAndFloors() {
        MemoryTier tier = new MemoryTier(1 << 20, time);
        assertThat(tier.ref("a")).isNull();
        tier.apply(new TierWrite.Upsert(item("a", 1, "one")));
        L1Ref ref = tier.ref("a");
        assertThat(ref.id()).isEqualTo("a");

        tier.apply(new TierWrite.Upsert(item("a", 2, "a much longer second value")));
        tier.apply(new TierWrite.Upsert(item("a", 3, "three", now.get() + 60_000)));
        assertThat(new String(ref.item().payload(), StandardCharsets.UTF_8)).isEqualTo("three");
        tier.apply(new TierWrite.Delete("a", 4));
        assertThat(ref.item()).isNull();
        tier.raiseFloor("a", 6);
        tier.fill(item("a", 6, "six"));

        assertThat(tier.ref("a")).isSameAs(ref);
        assertThat(ref.live()).isTrue();
        assertThat(ref.item().version()).isEqualTo(6);
    }

    @Test
    void anAttachedValueIsServedUntilTheItemChangesOrItsEndPasses() {
        MemoryTier tier = new MemoryTier(1 << 20, time);
        tier.apply(new TierWrite.Upsert(item("a", 1, "one")));
        L1Ref ref = tier.ref("a");
        SyncItem first = ref.item();

        assertThat(ref.attach(owner, first, "decoded one", now.get() + 1_000)).isTrue();
        assertThat(ref.attached(owner, time)).isEqualTo("decoded one");
        assertThat(ref.attached(new Object(), time)).as("another owner's view").isNull();
        now.addAndGet(1_000);
        assertThat(ref.attached(owner, time)).as("at its end").isNull();

        ref.attach(owner, first, "decoded one", Long.MAX_VALUE);
        tier.apply(new TierWrite.Upsert(item("a", 2, "two"))); // same size: swapped in place
        assertThat(ref.attached(owner, time)).isNull();
        assertThat(ref.attach(owner, first, "stale", Long.MAX_VALUE)).as("derived from a replaced item").isFalse();
        assertThat(ref.attached(owner, time)).isNull();

        ref.attach(owner, ref.item(), "decoded two", Long.MAX_VALUE);
        tier.raiseFloor("a", 9); // another node wrote a newer version
        assertThat(ref.attached(owner, time)).isNull();
    }

    @Test
    void anEntryThatLeavesIsDeadForGoodAndTheIdGetsANewOne() {
        MemoryTier tier = new MemoryTier(1 << 20, time);
        tier.apply(new TierWrite.Upsert(item("a", 1, "one")));
        L1Ref ref = tier.ref("a");
        ref.attach(owner, ref.item(), "decoded", Long.MAX_VALUE);

        tier.invalidate("a");
        assertThat(ref.live()).isFalse();
        assertThat(ref.item()).isNull();
        assertThat(ref.attached(owner, time)).isNull();
        assertThat(tier.ref("a")).isNull();

        // A write through the dead entry still lands, in the id's new entry.
        assertThat(tier.apply(ref, new TierWrite.Upsert(item("a", 2, "two")))).isTrue();
        assertThat(ref.live()).isFalse();
        L1Ref renewed = tier.ref("a");
        assertThat(renewed).isNotSameAs(ref);
        assertThat(renewed.item().version()).isEqualTo(2);
    }

    @Test
    void writesThroughAnEntryFollowTheVersionRules() {
        MemoryTier tier = new MemoryTier(1 << 20, time);
        tier.apply(new TierWrite.Upsert(item("a", 5, "five")));
        L1Ref ref = tier.ref("a");

        assertThat(tier.apply(ref, new TierWrite.Upsert(item("a", 4, "four")))).isFalse();
        assertThat(tier.apply(ref, new TierWrite.Upsert(item("a", 6, "six")))).isTrue();
        assertThat(tier.apply(ref, new TierWrite.Upsert(item("a", 7, "seven, longer")))).isTrue();
        assertThat(tier.get("a").orElseThrow().version()).isEqualTo(7);
        assertThat(tier.ref("a")).isSameAs(ref);
        tier.cleanUp();
        assertThat(tier.weightedBytes()).isEqualTo(tier.weightOfHeldEntries());
    }

    @Test
    void anEntryTakesOnlyWritesOfItsOwnIdAndOnlyInItsOwnTier() {
        MemoryTier tier = new MemoryTier(1 << 20, time);
        MemoryTier other = new MemoryTier(1 << 20, time);
        tier.apply(new TierWrite.Upsert(item("a", 1, "one")));
        other.apply(new TierWrite.Upsert(item("a", 1, "one")));
        L1Ref ref = tier.ref("a");

        assertThat(tier.holds(ref)).isTrue();
        assertThat(other.holds(ref)).isFalse();
        assertThatThrownBy(() -> tier.apply(ref, new TierWrite.Upsert(item("b", 2, "two"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a'").hasMessageContaining("'b'");
    }
}
