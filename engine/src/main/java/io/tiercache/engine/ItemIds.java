package io.tiercache.engine;

import java.nio.charset.StandardCharsets;

/**
 * Rules every item id obeys, checked at the engine boundary so no tier ever sees a bad one.
 * An id is 1..1024 UTF-8 bytes with no control characters, so it stays printable in logs, Redis keys and SQL rows.
 */
public final class ItemIds {
    public static final int MAX_ID_BYTES = 1024;

    private ItemIds() {
    }

    /** Returns {@code id} if valid, else throws an {@link IllegalArgumentException} that names the problem. */
    public static String requireValid(String id) {
        if (id == null) {
            throw new IllegalArgumentException("item id must not be null");
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("item id must not be empty");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                continue; // printable ASCII, the common case: nothing more to check
            }
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(String.format(
                        "item id contains control character U+%04X at index %d: '%s'", (int) c, i, abbreviate(id)));
            }
            if (Character.isSurrogate(c) && !validSurrogatePair(id, i)) {
                throw new IllegalArgumentException("item id contains an unpaired surrogate at index " + i);
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        // Each char is at most 3 UTF-8 bytes, so short ids skip the encoding.
        if (id.length() > MAX_ID_BYTES / 3) {
            int bytes = id.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_ID_BYTES) {
                throw new IllegalArgumentException("item id is " + bytes + " UTF-8 bytes, over the limit of "
                        + MAX_ID_BYTES + ": '" + abbreviate(id) + "'");
            }
        }
        return id;
    }

    /** Checks a prefix for scans: the same character rules as an id, but the empty prefix (everything) is allowed. */
    public static String requireValidPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null");
        }
        return prefix.isEmpty() ? prefix : requireValid(prefix);
    }

    private static boolean validSurrogatePair(String id, int i) {
        return Character.isHighSurrogate(id.charAt(i)) && i + 1 < id.length()
                && Character.isLowSurrogate(id.charAt(i + 1));
    }

    /** A log-safe rendering of an id: control characters escaped, long ids cut. */
    static String abbreviate(String id) {
        String shown = id.length() <= 64 ? id : id.substring(0, 61) + "...";
        StringBuilder out = new StringBuilder(shown.length());
        shown.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
