package io.tiercache.engine.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 content hashes in lower-case hex, with one digest per thread (getInstance is slow on hot paths). */
public final class ContentHash {
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(ContentHash::newDigest);

    private ContentHash() {
    }

    public static String sha256Hex(byte[] bytes) {
        return HEX.formatHex(sha256(bytes));
    }

    public static byte[] sha256(byte[] bytes) {
        MessageDigest digest = DIGEST.get();
        digest.reset();
        return digest.digest(bytes);
    }

    /** Whether {@code hash} has the shape of a SHA-256 hex digest; stored hashes are checked before use. */
    public static boolean isWellFormed(String hash) {
        if (hash == null || hash.length() != 64) {
            return false;
        }
        for (int i = 0; i < hash.length(); i++) {
            char c = hash.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
