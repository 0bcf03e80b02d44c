package io.tiercache.engine.redis;

import java.nio.charset.StandardCharsets;

/**
 * Names of every key the Redis tier writes, all under one configured prefix. See {@code package-info.java} for the
 * layout and why it is shaped around Redis Cluster hash tags.
 */
final class RedisKeys {
    /** Hash-tag text of the root namespace (ids without a '/'); real namespaces always end with '/'. */
    static final String ROOT_TAG = "~";

    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** The namespace of an id: the id up to and including its first '/', or "" for the root namespace. */
    static String namespaceOf(String id) {
        int slash = id.indexOf('/');
        return slash < 0 ? "" : id.substring(0, slash + 1);
    }

    /** {@code <prefix>{<tag>}:}, the start of every key of one namespace (one Redis Cluster slot). */
    String base(String namespace) {
        return prefix + "{" + tag(namespace) + "}:";
    }

    /** The hash-tag text of a namespace: '%' and '}' percent-encoded so the tag ends where we mean it to. */
    static String tag(String namespace) {
        if (namespace.isEmpty()) {
            return ROOT_TAG;
        }
        return namespace.replace("%", "%25").replace("}", "%7D");
    }

    byte[] item(String id) {
        return bytes(base(namespaceOf(id)) + "i:" + id);
    }

    /** What the scripts prepend to an id to name its item hash. */
    byte[] itemBase(String namespace) {
        return bytes(base(namespace) + "i:");
    }

    /** ZSET (all scores 0) of the namespace's ids, listed in byte order with ZRANGEBYLEX. */
    byte[] ids(String namespace) {
        return bytes(base(namespace) + "ids");
    }

    /** ZSET of the namespace's expiring ids, scored by {@code expiresAt} (engine clock). */
    byte[] expiries(String namespace) {
        return bytes(base(namespace) + "exp");
    }

    /** ZSET (all scores 0) of the namespace's ids in one state. */
    byte[] state(String namespace, String state) {
        return bytes(base(namespace) + "st:" + state);
    }

    /** ZSET (all scores 0) of every namespace that ever held an item, the root namespace excepted. */
    byte[] namespaces() {
        return bytes(prefix + "namespaces");
    }

    /** A SCAN MATCH pattern for every key under the prefix, glob characters of the prefix escaped. */
    String allKeysPattern() {
        StringBuilder out = new StringBuilder();
        for (char c : prefix.toCharArray()) {
            if ("*?[]\\".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('*').toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
