package io.tiercache.engine.cuckoo;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CuckooFilterTest {

    @Test
    void addedIdsAreFoundAndAnEmptyFilterHoldsNothing() {
        CuckooFilter filter = CuckooFilter.create(1_000, 12);
        assertThat(filter.definitelyMissing("users/42")).isTrue();
        assertThat(filter.add("users/42")).isTrue();
        assertThat(filter.mightContain("users/42")).isTrue();
        assertThat(filter.definitelyMissing("users/42")).isFalse();
        assertThat(filter.size()).isEqualTo(1);
        assertThat(filter.capacity()).isEqualTo(1_000);
        assertThat(filter.loadFactor()).isEqualTo(0.001);
        assertThat(filter.remove("users/42")).isTrue();
        assertThat(filter.definitelyMissing("users/42")).isTrue();
        assertThat(filter.size()).isZero();
        assertThat(filter.remove("users/42")).isFalse();
    }

    @Test
    void capacityIsRoundedUpToWholeBucketsOfFour() {
        assertThat(CuckooFilter.create(1, 12).capacity()).isEqualTo(4);
        assertThat(CuckooFilter.create(1_001, 12).capacity()).isEqualTo(1_004);
        assertThat(CuckooFilter.forExpectedItems(9_000, 12).capacity()).isEqualTo(10_000);
        assertThatThrownBy(() -> CuckooFilter.forExpectedItems(0, 12)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expectedItems");
    }

    /** Multiset semantics: an id added twice stays a member until it has been removed twice. */
    @Test
    void addingTwiceNeedsTwoRemoves() {
        CuckooFilter filter = CuckooFilter.create(1_000, 16);
        filter.add("a");
        filter.add("a");
        assertThat(filter.size()).isEqualTo(2);
        filter.remove("a");
        assertThat(filter.mightContain("a")).isTrue();
        filter.remove("a");
        assertThat(filter.definitelyMissing("a")).isTrue();
    }

    @Test
    void atMostEightCopiesOfOneIdFitAndTheNinthIsRefusedVisibly() {
        CuckooFilter filter = CuckooFilter.create(10_000, 12, 50);
        int accepted = 0;
        while (filter.add("hot")) {
            accepted++;
        }
        assertThat(accepted).isBetween(4, 8);
        assertThat(filter.size()).isEqualTo(accepted);
        assertThat(filter.needsRebuild()).isTrue();
        assertThat(filter.stores("hot")).isTrue();
    }

    @Test
    void aFullFilterRefusesTheAddKeepsEveryMemberAndStopsClaimingAbsence() {
        CuckooFilter filter = CuckooFilter.create(64, 8, 100);
        List<String> members = new ArrayList<>();
        for (int n = 0; ; n++) {
            String id = "id-" + n;
            if (!filter.add(id)) {
                assertThat(filter.stores(id)).as("the refused id left no trace").isFalse();
                break;
            }
            members.add(id);
        }
        assertThat(members.size()).isGreaterThan(48);
        assertThat(filter.size()).isEqualTo(members.size());
        assertThat(members).allSatisfy(id -> assertThat(filter.stores(id)).as(id).isTrue());
        assertThat(filter.needsRebuild()).isTrue();
        assertThat(filter.definitelyMissing("never-added")).isFalse();
        assertThat(filter).hasToString("CuckooFilter{size=" + members.size() + ", capacity=64, "
                + "fingerprintBits=8, needsRebuild}");
    }

    @Test
    void badArgumentsAreRefusedWithTheSettingNamed() {
        CuckooFilter filter = CuckooFilter.create(16, 12);
        assertThatThrownBy(() -> filter.add(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id must not be null");
        assertThatThrownBy(() -> filter.remove(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> filter.mightContain(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CuckooFilter.create(0, 12)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
        assertThatThrownBy(() -> CuckooFilter.create((1L << 30) + 1, 12))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
        assertThatThrownBy(() -> CuckooFilter.create(16, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fingerprint bits must be in 4..16, got 3");
        assertThatThrownBy(() -> CuckooFilter.create(16, 17)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CuckooFilter.create(16, 12, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxKicks");
    }

    /** Reference values computed independently (a Python MurmurHash64A); snapshots depend on them. */
    @Test
    void idHashIsMurmurHash64AOfTheUtf8BytesWithTheRecordedSeed() {
        assertThat(IdHash.hash("")).isEqualTo(0x3cb58923d0cce429L);
        assertThat(IdHash.hash("a")).isEqualTo(0x99e12414de6e48ffL);
        assertThat(IdHash.hash("users/42")).isEqualTo(0x8fcebf85ec2947aeL);
        assertThat(IdHash.hash("Zoë/ünïcode-id-1234567")).isEqualTo(0x604eb8bfc575f690L);
    }
}
