package io.tiercache.engine.merkle;

import io.tiercache.engine.internal.ContentHash;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Deterministic items for merkle tests: ids {@code ns/<n>} and states derived from a payload label. */
final class TestItems {

    private TestItems() {
    }

    static String id(int n) {
        return "ns/item-" + n;
    }

    static ItemState state(String payload, long version) {
        return new ItemState(ContentHash.sha256Hex(payload.getBytes(StandardCharsets.UTF_8)), version);
    }

    /** {@code count} items, the n-th with payload {@code "v<n>"} at version n + 1. */
    static Map<String, ItemState> items(int count) {
        Map<String, ItemState> items = new LinkedHashMap<>();
        for (int n = 0; n < count; n++) {
            items.put(id(n), state("v" + n, n + 1L));
        }
        return items;
    }

    static MerkleTree incrementally(Map<String, ItemState> items) {
        MerkleTree tree = new MerkleTree();
        items.forEach((id, state) -> tree.apply(id, null, state));
        return tree;
    }
}
