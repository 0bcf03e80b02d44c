package io.tiercache.engine.redis;

import io.tiercache.engine.ContentType;
import io.tiercache.engine.ItemIds;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.internal.JsonDetector;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns items into the fields of their Redis hash and back. What comes back from Redis is hostile: a missing,
 * truncated or malformed field never throws, it yields an item whose hash check fails ({@link SyncItem#isIntact()} is
 * false, with a content hash {@code unreadable-<what>}), so the engine treats the copy as corrupt and heals it.
 */
final class ItemCodec {
    static final String PAYLOAD = "payload";
    static final String HASH = "hash";
    static final String VERSION = "version";
    static final String TYPE = "type";
    static final String STATE = "state";
    static final String EXPIRES_AT = "expires_at";
    static final String UPDATED_AT = "updated_at";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private ItemCodec() {
    }

    /** The upsert script's ARGV after {@code base}: id, version, payload, hash, type, state, expiresAt, updatedAt. */
    static byte[][] upsertArgs(byte[] base, SyncItem item, long engineNow) {
        return new byte[][]{base, utf8(item.id()), utf8(Long.toString(item.version())), item.payload(),
            utf8(item.contentHash()), utf8(item.contentType().name()), utf8(item.state()),
            utf8(Long.toString(item.expiresAt())), utf8(Long.toString(item.updatedAt())),
            utf8(Long.toString(engineNow))};
    }

    /** An item read with HGETALL, or null when the map is empty (no such key). */
    static SyncItem decode(String id, Map<byte[], byte[]> raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        Map<String, byte[]> fields = new HashMap<>();
        raw.forEach((k, v) -> fields.put(new String(k, StandardCharsets.UTF_8), v));
        String problem = null;
        byte[] payload = fields.get(PAYLOAD);
        if (payload == null) {
            payload = new byte[0];
            problem = "payload";
        }
        String hash = text(fields.get(HASH));
        if (hash == null || !SHA256_HEX.matcher(hash).matches()) {
            problem = "hash";
        }
        Long version = number(fields.get(VERSION));
        if (version == null) {
            problem = "version";
        }
        ContentType type;
        try {
            type = ContentType.fromTag(text(fields.get(TYPE)));
        } catch (IllegalArgumentException e) {
            type = JsonDetector.isJsonDocument(payload) ? ContentType.JSON : ContentType.BINARY;
        }
        String state = text(fields.get(STATE));
        try {
            SyncItem.requireValidState(state);
        } catch (IllegalArgumentException e) {
            state = SyncItem.DEFAULT_STATE;
            problem = "state";
        }
        Long expiresAt = number(fields.get(EXPIRES_AT));
        if (expiresAt == null || expiresAt < 0) {
            expiresAt = 0L;
            problem = "expires_at";
        }
        Long updatedAt = number(fields.get(UPDATED_AT));
        if (updatedAt == null) {
            updatedAt = 0L;
            problem = "updated_at";
        }
        return SyncItem.restore(id, payload, type, problem == null ? hash : "unreadable-" + problem,
                version == null ? 0 : version, state, expiresAt, updatedAt);
    }

    /** What a key holding another Redis type reads as: present, and corrupt. */
    static SyncItem wrongType(String id) {
        return SyncItem.restore(id, new byte[0], ContentType.BINARY, "unreadable-wrong-redis-type", 0,
                SyncItem.DEFAULT_STATE, SyncItem.NO_EXPIRY, 0);
    }

    /** An id read from an index, or null if the bytes are not a valid id (strict UTF-8, {@link ItemIds} rules). */
    static String idOrNull(byte[] member) {
        String id = text(member);
        if (id == null) {
            return null;
        }
        try {
            return ItemIds.requireValid(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Strict UTF-8: malformed bytes give null rather than replacement characters. */
    static String text(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static Long number(byte[] bytes) {
        String s = text(bytes);
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
