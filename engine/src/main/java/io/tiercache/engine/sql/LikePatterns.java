package io.tiercache.engine.sql;

/**
 * Turns a literal prefix into a LIKE pattern. The escape character is {@code !} rather than a backslash because
 * MySQL also treats backslashes in string literals as escapes, which would make one pattern mean different things.
 */
public final class LikePatterns {
    public static final char ESCAPE = '!';
    public static final String ESCAPE_CLAUSE = " ESCAPE '!'";

    private LikePatterns() {
    }

    /** {@code prefix} with {@code %}, {@code _} and {@code !} taken literally, followed by {@code %}. */
    public static String prefixPattern(String prefix) {
        StringBuilder pattern = new StringBuilder(prefix.length() + 8);
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c == '%' || c == '_' || c == ESCAPE) {
                pattern.append(ESCAPE);
            }
            pattern.append(c);
        }
        return pattern.append('%').toString();
    }
}
