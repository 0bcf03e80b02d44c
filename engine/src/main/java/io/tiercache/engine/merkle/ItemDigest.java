package io.tiercache.engine.merkle;

import io.tiercache.engine.ItemIds;
import io.tiercache.engine.internal.ContentHash;

import java.nio.charset.StandardCharsets;

/**
 * The digest one item contributes to its leaf: SHA-256 over a fixed byte encoding of its id, content hash and
 * version. Every tier and every node must produce the same bytes, so the encoding is part of the storage format:
 *
 * <pre>
 *   UTF-8(id) ‖ 0x00 ‖ ASCII(contentHash, 64 lower-case hex digits) ‖ 0x00 ‖ version (8 bytes, big-endian two's complement)
 * </pre>
 *
 * The 0x00 separators cannot occur inside an id (ids have no control characters) nor inside the hex hash, so two
 * different (id, hash, version) triples never encode to the same bytes. A leaf is the sum of these digests modulo
 * 2<sup>256</sup> (see {@link Digest256#plus}), which is why a write can update it without reading the bucket.
 *
 * <pre>{@code
 * Digest256 d = ItemDigest.of("users/42", item.contentHash(), item.version());
 * }</pre>
 */
public final class ItemDigest {
    /** Version of the encoding above; a change of encoding changes every stored tree and must bump it. */
    public static final int ENCODING_VERSION = 1;
    private static final int HASH_CHARS = 64;

    private ItemDigest() {
    }

    public static Digest256 of(String id, ItemState state) {
        if (state == null) {
            throw new IllegalArgumentException("item state must not be null");
        }
        return Digest256.fromBytes(ContentHash.sha256(encode(id, state.contentHash(), state.version())));
    }

    public static Digest256 of(String id, String contentHash, long version) {
        return Digest256.fromBytes(ContentHash.sha256(encode(id, contentHash, version)));
    }

    /** The exact bytes that are hashed (documented in the class comment). */
    public static byte[] encode(String id, String contentHash, long version) {
        ItemIds.requireValid(id);
        if (!ContentHash.isWellFormed(contentHash)) {
            throw new IllegalArgumentException("content hash must be 64 lower-case hex digits, got "
                    + (contentHash == null ? "null" : contentHash.length() + " characters"));
        }
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[idBytes.length + 1 + HASH_CHARS + 1 + Long.BYTES];
        System.arraycopy(idBytes, 0, out, 0, idBytes.length);
        int at = idBytes.length + 1;
        for (int i = 0; i < HASH_CHARS; i++) {
            out[at + i] = (byte) contentHash.charAt(i);
        }
        at += HASH_CHARS + 1;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            out[at + i] = (byte) version;
            version >>>= 8;
        }
        return out;
    }
}
