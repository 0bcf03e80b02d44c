package io.tiercache.engine.cuckoo;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No false negatives, ever: after any sequence of adds (duplicates included) and removes of added ids, every id still
 * added more often than removed is reported as possibly present. Small filters and few fingerprint bits make
 * evictions, collisions and refused adds common.
 */
class CuckooFilterPropertiesTest {

    record Op(boolean add, int id) {
    }

    @Property(tries = 200)
    void membersAreNeverReportedMissing(@ForAll("ops") List<Op> ops,
                                        @ForAll @IntRange(min = 8, max = 256) int capacity,
                                        @ForAll @IntRange(min = 4, max = 16) int bits) {
        CuckooFilter filter = CuckooFilter.create(capacity, bits, 64);
        Map<String, Integer> copies = new HashMap<>();
        for (Op op : ops) {
            String id = "id-" + op.id();
            int held = copies.getOrDefault(id, 0);
            if (op.add()) {
                if (filter.add(id)) {
                    copies.put(id, held + 1);
                }
            } else if (held > 0) {
                assertThat(filter.remove(id)).isTrue();
                copies.put(id, held - 1);
            }
            copies.forEach((member, n) -> {
                if (n > 0) {
                    assertThat(filter.mightContain(member)).as("member %s after %s", member, op).isTrue();
                    assertThat(filter.stores(member)).as("stored %s after %s", member, op).isTrue();
                }
            });
        }
        assertThat(filter.size()).isEqualTo(copies.values().stream().mapToLong(Integer::longValue).sum());
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, Arbitraries.just(true)), net.jqwik.api.Tuple.of(2, Arbitraries.just(false))),
                Arbitraries.integers().between(0, 120)).as(Op::new);
        return op.list().ofMaxSize(400);
    }
}
