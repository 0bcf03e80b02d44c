package io.tiercache.engine;

/**
 * Turns values into payload bytes for writes the engine encodes only when a tier or a reader needs their bytes
 * ({@link SyncEngine#submitOwned(L1Ref, Object, PayloadEncoder, SubmitOptions)}). A writer that overwrites an id many
 * times between two flushes then encodes nothing on its own thread: the flusher encodes the one write it stores, and
 * an L1 read by id encodes on first use. While L1 holds such an item, its entry serves the value itself to
 * {@link #owner()} ({@link L1Ref#attached}), so the layer that wrote it decodes nothing either.
 *
 * <p>Only for immutable values whose encoding cannot fail and gives equal bytes on every call, from any thread: the
 * engine may encode a value more than once, and an encoding that failed in the flusher would lose an acknowledged
 * write.
 *
 * <pre>{@code
 * PayloadEncoder utf8 = new PayloadEncoder() {
 *     public Object owner() { return this; }
 *     public byte[] encode(Object value) { return ((String) value).getBytes(StandardCharsets.UTF_8); }
 *     public int maxEncodedSize(Object value) { return 3 * ((String) value).length(); }
 *     public int estimatedSize(Object value) { return ((String) value).length(); }
 * };
 * L1Ref ref = engine.l1Ref("greetings/en");
 * engine.submitOwned(ref, "hello", utf8, SubmitOptions.defaults()).join();
 * ref.attached(utf8, TimeSource.system()); // "hello", not decoded
 * }</pre>
 */
public interface PayloadEncoder {
    /** Who may read a value encoded here back from its L1 entry ({@link L1Ref#attached}). */
    Object owner();

    /** The payload of {@code value}: never null, equal on every call. */
    byte[] encode(Object value);

    /** The most bytes {@link #encode} can give {@code value}; checked against {@code maxPayloadBytes} up front. */
    int maxEncodedSize(Object value);

    /** About as many bytes as {@link #encode} will give {@code value}: what L1 weighs the item by. */
    int estimatedSize(Object value);
}
