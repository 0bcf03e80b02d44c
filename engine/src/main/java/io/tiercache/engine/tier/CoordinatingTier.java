package io.tiercache.engine.tier;

import io.tiercache.engine.SyncItem;

import java.util.Objects;
import java.util.Optional;

/**
 * A shared tier that can arbitrate conditional writes between nodes: a compare-and-set on what it stores for one id.
 * The engine reads an id's {@link Snapshot}, lets the caller decide, and writes back only if the tier still holds
 * exactly what was read; otherwise it reads again and retries. Redis does it in one Lua script, SQL in one
 * transaction, so two JVMs running the same read-decide-write loop never both win.
 *
 * <pre>{@code
 * CoordinatingTier l2 = redisTier;
 * CoordinatingTier.Snapshot seen = l2.readForUpdate("counter/visits");
 * SyncItem next = SyncItem.create("counter/visits", bytes, clock.next(), "", SyncItem.NO_EXPIRY, now);
 * boolean won = l2.compareAndApply(seen.token(), new TierWrite.Upsert(next));
 * }</pre>
 */
public interface CoordinatingTier {

    /** What the tier stores for an id, and the token a compare-and-set must present to replace it. */
    Snapshot readForUpdate(String id) throws TierAccessException;

    /**
     * Applies {@code write} only if the tier's token for its id still equals {@code expected}; a delete leaves a
     * tombstone where the tier needs one to tell "deleted" from "never cached".
     *
     * @return whether the write was applied; false means another writer came first (read again and retry)
     */
    boolean compareAndApply(Token expected, TierWrite write) throws TierAccessException;

    /** What a stored id looks like to a compare-and-set: nothing, an item of a version, or a delete of a version. */
    record Token(Kind kind, long version) {
        public static final Token NOTHING = new Token(Kind.NOTHING, 0);

        public Token {
            Objects.requireNonNull(kind, "kind");
        }

        public static Token item(long version) {
            return new Token(Kind.ITEM, version);
        }

        public static Token deleted(long version) {
            return new Token(Kind.DELETED, version);
        }

        public enum Kind { NOTHING, ITEM, DELETED }
    }

    /**
     * One read of an id: its token, and the stored item when the token is {@link Token.Kind#ITEM}. The item is as
     * stored (possibly corrupt or expired); the engine decides what it means.
     */
    record Snapshot(Token token, Optional<SyncItem> item) {
        public Snapshot {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(item, "item");
        }
    }
}
