package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.QueryKey;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Engine ids for region keys. Entity, collection and natural-id keys are already readable text; update-timestamp
 * keys are table names; a query key is named by the SHA-256 of its serialized form (SQL, parameter values, limits,
 * filters), which is only hashed, never read back. Ids over the engine's 1024-byte limit keep their region prefix
 * and are replaced by their digest.
 */
final class EngineIds {
    private static final int MAX_BYTES = 1024;

    private EngineIds() {
    }

    /** The id, or null when the key cannot be named the same way on every node (it is then not cached). */
    static String of(String prefix, Object key, String tenant) {
        String id;
        if (key instanceof TierCacheKey cacheKey) {
            id = prefix + cacheKey.text();
        } else if (key instanceof QueryKey queryKey) {
            String digest = digestOfSerialized(queryKey);
            if (digest == null) {
                return null;
            }
            id = prefix + (tenant == null ? "" : "@" + IdText.escape(tenant) + "/") + "query#" + digest;
        } else {
            id = prefix + IdText.escape(String.valueOf(key));
        }
        if (id.length() * 3 > MAX_BYTES && id.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            id = prefix + "sha256#" + sha256(id.getBytes(StandardCharsets.UTF_8));
        }
        return id;
    }

    private static String digestOfSerialized(QueryKey key) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(key);
        } catch (IOException e) {
            return null;
        }
        return sha256(bytes.toByteArray());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
