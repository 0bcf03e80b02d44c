package io.tiercache.engine.internal;

import java.util.Comparator;

/**
 * The one order ids are listed in by every tier: Unicode code point order, which equals the byte order of UTF-8
 * (SQLite's BINARY collation, MySQL VARBINARY). Java's {@code String.compareTo} differs for characters outside the
 * BMP, so in-memory tiers use this instead.
 */
public final class IdOrder {
    public static final Comparator<String> COMPARATOR = IdOrder::compare;

    private IdOrder() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
