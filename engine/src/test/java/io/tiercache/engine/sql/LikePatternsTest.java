package io.tiercache.engine.sql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LikePatternsTest {

    @Test
    void wildcardsAndTheEscapeCharacterAreEscaped() {
        assertThat(LikePatterns.prefixPattern("a%b_c!d")).isEqualTo("a!%b!_c!!d%");
    }

    @Test
    void backslashesAndOtherCharactersPassThrough() {
        assertThat(LikePatterns.prefixPattern("a\\b/é\uD83D\uDE00")).isEqualTo("a\\b/é\uD83D\uDE00%");
    }

    @Test
    void theEmptyPrefixMatchesEverything() {
        assertThat(LikePatterns.prefixPattern("")).isEqualTo("%");
    }

    @Test
    void theEscapeClauseNamesTheEscapeCharacter() {
        assertThat(LikePatterns.ESCAPE_CLAUSE).isEqualTo(" ESCAPE '" + LikePatterns.ESCAPE + "'");
    }
}
