package io.tiercache.engine;

import java.util.Objects;

/**
 * A payload kept as the immutable value it encodes until a tier or a reader needs its bytes
 * ({@link SyncEngine#submitOwned(L1Ref, DeferredPayload, SubmitOptions)}). A writer that overwrites an id many times
 * between two flushes then encodes nothing on its own thread: the flusher encodes the one write it stores, and an L1
 * read by id encodes on first use. While L1 holds the item, its entry serves {@link #value()} to {@link #owner()}
 * as the attached value ({@link L1Ref#attached}), so the layer that wrote it decodes nothing either.
 *
 * <p>Only for values whose encoding cannot fail and gives the same bytes on every call, from any thread: the engine
 * may encode more than once, and an encoding that failed in the flusher would lose an acknowledged write.
 *
 * <pre>{@code
 * final class Text extends DeferredPayload {
 *     Text(Object owner, String text) { super(owner, text); }
 *     protected byte[] encode() { return ((String) value()).getBytes(StandardCharsets.UTF_8); }
 *     public int maxEncodedSize() { return 3 * ((String) value()).length(); }
 *     public int estimatedSize() { return ((String) value()).length(); }
 * }
 * L1Ref ref = engine.l1Ref("greetings/en");
 * engine.submitOwned(ref, new Text(this, "hello"), SubmitOptions.defaults()).join();
 * ref.attached(this, TimeSource.system()); // "hello", not decoded
 * }</pre>
 */
public abstract class DeferredPayload {
    private final Object owner;
    private final Object value;

    /**
     * @param owner who may read {@code value} back from the L1 entry ({@link L1Ref#attached})
     * @param value the immutable value the payload encodes
     */
    protected DeferredPayload(Object owner, Object value) {
        this.owner = Objects.requireNonNull(owner, "owner must not be null");
        this.value = Objects.requireNonNull(value, "value must not be null");
    }

    public final Object owner() {
        return owner;
    }

    public final Object value() {
        return value;
    }

    /** The payload's bytes: never null, equal on every call. */
    protected abstract byte[] encode();

    /** The most bytes {@link #encode} can give; checked against {@code maxPayloadBytes} before anything is encoded. */
    public abstract int maxEncodedSize();

    /** About as many bytes as {@link #encode} will give: what L1 weighs the item by until then. */
    public abstract int estimatedSize();
}
