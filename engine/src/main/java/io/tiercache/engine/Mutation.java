package io.tiercache.engine;

import java.util.Objects;

/**
 * What an atomic {@link SyncEngine#compute} decided: store a new payload, delete the item, or leave it, plus the
 * value the call returns.
 *
 * <pre>{@code
 * boolean inserted = engine.compute("lock/job-7", current -> current.isPresent()
 *         ? Mutation.keep(false)
 *         : Mutation.put("owner-a".getBytes(UTF_8), SubmitOptions.defaults(), true));
 * }</pre>
 */
public final class Mutation<R> {
    enum Kind { PUT, DELETE, KEEP }

    private final Kind kind;
    private final byte[] payload;
    private final SubmitOptions options;
    private final R result;

    private Mutation(Kind kind, byte[] payload, SubmitOptions options, R result) {
        this.kind = kind;
        this.payload = payload;
        this.options = options;
        this.result = result;
    }

    public static <R> Mutation<R> put(byte[] payload, SubmitOptions options, R result) {
        return new Mutation<>(Kind.PUT, Objects.requireNonNull(payload, "payload must not be null"),
                Objects.requireNonNull(options, "options must not be null"), result);
    }

    public static <R> Mutation<R> delete(R result) {
        return new Mutation<>(Kind.DELETE, null, null, result);
    }

    public static <R> Mutation<R> keep(R result) {
        return new Mutation<>(Kind.KEEP, null, null, result);
    }

    Kind kind() {
        return kind;
    }

    byte[] payload() {
        return payload;
    }

    SubmitOptions options() {
        return options;
    }

    public R result() {
        return result;
    }
}
