package io.tiercache.hibernate.internal;

import java.util.HexFormat;

/**
 * Renders identifiers as text for readable engine ids. Values print as themselves; {@code %}, control characters
 * and the separators {@code ( ) , / #} are percent-escaped so two different ids never render alike; composite ids
 * render as {@code (a,b)}.
 */
final class IdText {
    private IdText() {
    }

    static String render(Object id) {
        if (id == null) {
            return "null";
        }
        if (id instanceof byte[] bytes) {
            return "0x" + HexFormat.of().formatHex(bytes);
        }
        if (id instanceof Object[] parts) {
            StringBuilder out = new StringBuilder("(");
            for (int i = 0; i < parts.length; i++) {
                out.append(i == 0 ? "" : ",").append(render(parts[i]));
            }
            return out.append(')').toString();
        }
        return escape(String.valueOf(id));
    }

    static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean special = c == '%' || c == '(' || c == ')' || c == ',' || c == '/' || c == '#'
                    || Character.isISOControl(c);
            if (special && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (special) {
                    out.append('%').append(String.format("%02X", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
