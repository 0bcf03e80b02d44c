package io.tiercache.jcache.codec;

import io.tiercache.engine.ItemIds;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Maps cache keys to engine item ids {@code <cache name>/<encoded key>} and back, keeping them readable in L3:
 * <ul>
 *   <li>{@code String} keys as themselves, with {@code %}, control characters, unpaired surrogates and a leading
 *       {@code ~} percent-escaped ({@code users/ada});</li>
 *   <li>{@code Long} / {@code Integer} keys as {@code ~l:42} / {@code ~i:42};</li>
 *   <li>any other key as {@code ~b:} plus the base64url of its codec bytes;</li>
 *   <li>an id over {@link ItemIds#MAX_ID_BYTES} becomes {@code ~h:} plus the SHA-256 of the long id, and the key's
 *       bytes travel in the stored envelope so iteration can still rebuild it;</li>
 *   <li>a key that cannot be encoded at all (store-by-reference caches only) gets a JVM-local id {@code ~r:n}, valid
 *       while the cache is open.</li>
 * </ul>
 * The cache name is escaped the same way, with {@code /} escaped too, so no cache's prefix is another's.
 *
 * <pre>{@code
 * KeyCodec keys = new KeyCodec("users", codec, false);
 * KeyCodec.KeyId id = keys.idOf("ada");   // id() == "users/ada"
 * keys.keyOf(id.id(), null);             // "ada"
 * }</pre>
 */
public final class KeyCodec {
    private static final String LONG = "~l:";
    private static final String INT = "~i:";
    private static final String BINARY = "~b:";
    private static final String HASHED = "~h:";
    private static final String REFERENCE = "~r:";

    private final String namespace;
    private final ValueCodec codec;
    private final boolean allowReferences;
    private final Map<Object, String> referenceIds = new ConcurrentHashMap<>();
    private final Map<String, Object> referenceKeys = new ConcurrentHashMap<>();
    private final AtomicLong nextReference = new AtomicLong();

    public KeyCodec(String cacheName, ValueCodec codec, boolean allowReferences) {
        this.namespace = namespaceOf(cacheName);
        this.codec = codec;
        this.allowReferences = allowReferences;
        ItemIds.requireValid(namespace);
    }

    /** The id prefix of the cache named {@code cacheName}. */
    public static String namespaceOf(String cacheName) {
        return escape(cacheName, true) + "/";
    }

    /** A key's id, plus the key's bytes when the id is a hash that cannot be decoded. */
    public record KeyId(String id, byte[] storedKey) {
    }

    /** The prefix every id of this cache starts with. */
    public String namespace() {
        return namespace;
    }

    public KeyId idOf(Object key) {
        String reference = referenceIds.get(key);
        if (reference != null) {
            return new KeyId(reference, null);
        }
        String body;
        byte[] keyBytes = null;
        if (key instanceof String s) {
            body = escape(s, false);
        } else if (key instanceof Long l) {
            body = LONG + l;
        } else if (key instanceof Integer i) {
            body = INT + i;
        } else {
            try {
                keyBytes = codec.encode(key);
            } catch (CodecException e) {
                if (!allowReferences) {
                    throw new CodecException("cannot use a " + key.getClass().getName() + " as a key: "
                            + e.getMessage(), e);
                }
                return new KeyId(referenceIdFor(key), null);
            }
            body = BINARY + Base64.getUrlEncoder().withoutPadding().encodeToString(keyBytes);
        }
        String id = namespace + body;
        if (id.length() * 3 <= ItemIds.MAX_ID_BYTES || id.getBytes(StandardCharsets.UTF_8).length
                <= ItemIds.MAX_ID_BYTES) {
            return new KeyId(id, null);
        }
        byte[] stored = keyBytes != null ? keyBytes : codec.encode(key);
        return new KeyId(namespace + HASHED + sha256(id), stored);
    }

    /** Rebuilds the key of {@code id}; {@code storedKey} is the envelope's key bytes for hashed ids, else null. */
    public Object keyOf(String id, byte[] storedKey) {
        if (!id.startsWith(namespace)) {
            throw new IllegalArgumentException("id '" + id + "' is outside namespace '" + namespace + "'");
        }
        String body = id.substring(namespace.length());
        if (body.startsWith(HASHED)) {
            if (storedKey == null) {
                throw new CodecException("entry '" + id + "' has a hashed id but no stored key");
            }
            return codec.decode(storedKey);
        }
        if (body.startsWith(REFERENCE)) {
            return referenceKeys.get(id);
        }
        if (body.startsWith(LONG)) {
            return Long.parseLong(body.substring(LONG.length()));
        }
        if (body.startsWith(INT)) {
            return Integer.parseInt(body.substring(INT.length()));
        }
        if (body.startsWith(BINARY)) {
            return codec.decode(Base64.getUrlDecoder().decode(body.substring(BINARY.length())));
        }
        return unescape(body);
    }

    /**
     * The key of an id of this namespace that names a {@code String}, {@code Long} or {@code Integer} key, rebuilt
     * from the id alone (no codec, no stored key); null for any other id. Cheap enough for every write.
     */
    public Object plainKeyOf(String id) {
        if (!id.startsWith(namespace)) {
            return null;
        }
        int start = namespace.length();
        if (id.length() > start && id.charAt(start) == '~') {
            if (id.startsWith(LONG, start)) {
                return parseOrNull(id.substring(start + LONG.length()), true);
            }
            if (id.startsWith(INT, start)) {
                return parseOrNull(id.substring(start + INT.length()), false);
            }
            return null;
        }
        try {
            return unescape(id.substring(start));
        } catch (RuntimeException e) {
            return null; // not an id this codec made (another writer in the namespace): nothing cached under it
        }
    }

    private static Object parseOrNull(String digits, boolean isLong) {
        try {
            return isLong ? (Object) Long.parseLong(digits) : (Object) Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Forgets JVM-local key ids, after the entries they named are gone. */
    public void forgetReferences() {
        referenceIds.clear();
        referenceKeys.clear();
    }

    public void forgetReference(String id) {
        Object key = referenceKeys.remove(id);
        if (key != null) {
            referenceIds.remove(key);
        }
    }

    private String referenceIdFor(Object key) {
        return referenceIds.computeIfAbsent(key, k -> {
            String id = namespace + REFERENCE + nextReference.incrementAndGet();
            referenceKeys.put(id, k);
            return id;
        });
    }

    static String escape(String raw, boolean escapeSlash) {
        StringBuilder out = null;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean unpaired = Character.isHighSurrogate(c)
                    ? i + 1 >= raw.length() || !Character.isLowSurrogate(raw.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(raw.charAt(i - 1)));
            boolean special = c == '%' || Character.isISOControl(c) || unpaired || (escapeSlash && c == '/')
                    || (i == 0 && c == '~');
            if (special && out == null) {
                out = new StringBuilder(raw.length() + 8).append(raw, 0, i);
            }
            if (out != null) {
                if (!special) {
                    out.append(c);
                } else if (c < 0x100) {
                    out.append('%').append(String.format("%02X", (int) c));
                } else {
                    out.append("%u").append(String.format("%04X", (int) c));
                }
            }
        }
        return out == null ? raw : out.toString();
    }

    static String unescape(String escaped) {
        if (escaped.indexOf('%') < 0) {
            return escaped;
        }
        StringBuilder out = new StringBuilder(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c != '%') {
                out.append(c);
            } else if (escaped.charAt(i + 1) == 'u') {
                out.append((char) Integer.parseInt(escaped.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                out.append((char) Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
                i += 2;
            }
        }
        return out.toString();
    }

    private static String sha256(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
