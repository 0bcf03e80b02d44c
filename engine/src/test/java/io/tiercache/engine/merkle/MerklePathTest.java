package io.tiercache.engine.merkle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MerklePathTest {

    @Test
    void pathsNameNodesFromTheRootDownToALeaf() {
        assertThat(MerklePath.of("")).isSameAs(MerklePath.ROOT);
        assertThat(MerklePath.ROOT.isRoot()).isTrue();
        MerklePath leaf = MerklePath.of("a3f0");
        assertThat(leaf.isLeaf()).isTrue();
        assertThat(leaf.depth()).isEqualTo(4);
        assertThat(leaf.parent()).isEqualTo(MerklePath.of("a3f"));
        assertThat(MerklePath.of("a").parent()).isSameAs(MerklePath.ROOT);
        assertThat(MerklePath.ROOT.child(0xa).child(3)).isEqualTo(MerklePath.of("a3"));
        assertThat(MerklePath.of("a3").children()).hasSize(16).startsWith(MerklePath.of("a30"))
                .endsWith(MerklePath.of("a3f"));
        assertThat(leaf.index()).isEqualTo(0xa3f0);
        assertThat(MerklePath.leafAt(0xa3f0)).isEqualTo(leaf);
        assertThat(MerklePath.at(2, 0x0b)).isEqualTo(MerklePath.of("0b"));
        assertThat(leaf.lastDigit()).isZero();
        assertThat(MerklePath.ROOT).hasToString("<root>");
    }

    @Test
    void orderIsTopDownThenByDigits() {
        assertThat(MerklePath.ROOT).isLessThan(MerklePath.of("f"));
        assertThat(MerklePath.of("f")).isLessThan(MerklePath.of("00"));
        assertThat(MerklePath.of("0a")).isLessThan(MerklePath.of("0b"));
    }

    @Test
    void anIdLivesInTheLeafNamedByTheFirstFourHexDigitsOfItsSha256() {
        // sha256("users/42") = 22ce…
        assertThat(MerklePath.bucketOf("users/42")).isEqualTo(MerklePath.of("22ce"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"A", "a3F", "g", "a3f01", " ", "-1", "ä"})
    void badPathsAreRefused(String hex) {
        assertThatThrownBy(() -> MerklePath.of(hex)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("merkle path");
    }

    @Test
    void hostileArgumentsGetClearExceptions() {
        assertThatThrownBy(() -> MerklePath.of(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> MerklePath.bucketOf(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> MerklePath.bucketOf("a\u0000b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
        assertThatThrownBy(MerklePath.ROOT::parent).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("root has no parent");
        assertThatThrownBy(() -> MerklePath.of("a3f0").child(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no children");
        assertThatThrownBy(() -> MerklePath.ROOT.child(16)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerklePath.leafAt(65_536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..65535");
        assertThatThrownBy(() -> MerklePath.at(5, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
