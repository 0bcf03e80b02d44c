package io.tiercache.engine.merkle;

import io.tiercache.engine.ItemIds;

/**
 * Which tree an item belongs to. A namespace is what the Redis tier already keys by: the id up to and including its
 * first {@code '/'} ({@code users/42} → {@code users/}); ids without a {@code '/'} share the root namespace, stored
 * under the name {@value #ROOT} (real namespaces always end with {@code '/'}, so it collides with none).
 *
 * <pre>{@code
 * MerkleNamespaces.of("users/42");        // "users/"
 * MerkleNamespaces.normalize("users");    // "users/"  (what the API accepts: with or without the slash)
 * MerkleNamespaces.normalize("");         // "~"       (the root namespace)
 * }</pre>
 */
public final class MerkleNamespaces {
    /** The stored name of the root namespace (ids without a '/'). */
    public static final String ROOT = "~";

    private MerkleNamespaces() {
    }

    /** The namespace of a valid id. */
    public static String of(String id) {
        int slash = id.indexOf('/');
        return slash < 0 ? ROOT : id.substring(0, slash + 1);
    }

    /**
     * The stored name of a namespace a caller names: {@code "users"} and {@code "users/"} are the same namespace,
     * {@code ""} and {@value #ROOT} the root one. A name with a '/' anywhere but at its end is refused: it would be
     * an id prefix, not a namespace.
     */
    public static String normalize(String namespace) {
        if (namespace == null) {
            throw new IllegalArgumentException("namespace must not be null (the root namespace is \"\")");
        }
        if (namespace.isEmpty() || namespace.equals(ROOT)) {
            return ROOT;
        }
        String bare = namespace.endsWith("/") ? namespace.substring(0, namespace.length() - 1) : namespace;
        if (bare.isEmpty() || bare.indexOf('/') >= 0) {
            throw new IllegalArgumentException("namespace '" + namespace + "' is not one: a namespace is the part of"
                    + " an id before its first '/', e.g. \"users\" for \"users/42\"");
        }
        return MerkleStore.requireValidNamespace(ItemIds.requireValid(bare + "/"));
    }

    /** Whether {@code id} belongs to the (stored) namespace {@code namespace}. */
    public static boolean contains(String namespace, String id) {
        return of(id).equals(namespace);
    }
}
