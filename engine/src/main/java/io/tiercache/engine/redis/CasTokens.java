package io.tiercache.engine.redis;

import io.tiercache.engine.tier.CoordinatingTier.Token;

/**
 * Compare-and-set tokens as the scripts write them: {@code v:<version>}, {@code d:<version>} or {@code -}. A token
 * Redis returns that is none of these is a script or server fault, never silently "nothing".
 */
final class CasTokens {
    private CasTokens() {
    }

    static byte[] format(Token token) {
        return ItemCodec.utf8(switch (token.kind()) {
            case NOTHING -> "-";
            case ITEM -> "v:" + token.version();
            case DELETED -> "d:" + token.version();
        });
    }

    static Token parse(String id, byte[] raw) {
        String text = ItemCodec.text(raw);
        if ("-".equals(text)) {
            return Token.NOTHING;
        }
        if (text != null && text.length() > 2 && text.charAt(1) == ':') {
            try {
                long version = Long.parseLong(text.substring(2));
                if (text.charAt(0) == 'v') {
                    return Token.item(version);
                }
                if (text.charAt(0) == 'd') {
                    return Token.deleted(version);
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new IllegalStateException("Redis answered an unreadable compare-and-set token for '" + id + "': "
                + text);
    }
}
