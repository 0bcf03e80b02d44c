package io.tiercache.engine.redis;

import java.util.Arrays;

/**
 * One listing the tier answers: ids with a prefix, or ids in a state, after an id, as a Redis lex range. Ranges are
 * bytes, because UTF-8 byte order is the code point order ids are listed in, and {@code 0xFF}, which never occurs in
 * UTF-8, closes a prefix range.
 */
record NamespaceQuery(String prefix, String state) {

    static NamespaceQuery byPrefix(String prefix) {
        return new NamespaceQuery(prefix, null);
    }

    static NamespaceQuery byState(String state) {
        return new NamespaceQuery("", state);
    }

    /** Whether one namespace holds every match (the prefix reaches past a '/'). */
    boolean singleNamespace() {
        return prefix.indexOf('/') >= 0;
    }

    /** Whether a namespace (with its trailing '/', or "" for the root) may hold matches. */
    boolean mayMatch(String namespace) {
        return namespace.isEmpty() || namespace.startsWith(prefix) || prefix.startsWith(namespace);
    }

    byte[] index(RedisKeys keys, String namespace) {
        return state == null ? keys.ids(namespace) : keys.state(namespace, state);
    }

    byte[] min(String afterId) {
        byte[] from = ItemCodec.utf8(prefix);
        if (afterId != null) {
            byte[] after = ItemCodec.utf8(afterId);
            if (Arrays.compareUnsigned(after, from) >= 0) {
                return concat((byte) '(', after);
            }
        }
        return prefix.isEmpty() ? new byte[]{'-'} : concat((byte) '[', from);
    }

    byte[] max() {
        if (prefix.isEmpty()) {
            return new byte[]{'+'};
        }
        byte[] open = concat((byte) '(', ItemCodec.utf8(prefix));
        byte[] out = Arrays.copyOf(open, open.length + 1);
        out[open.length] = (byte) 0xFF;
        return out;
    }

    private static byte[] concat(byte first, byte[] rest) {
        byte[] out = new byte[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
