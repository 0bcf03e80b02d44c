package io.tiercache.hibernate.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the update-timestamps region keeps per query space, shared by every node: the latest invalidation time, and
 * the pre-invalidations of transactions still running, each under its own transaction's id. Hibernate stores one
 * number per space and lowers a pre-invalidation to "now" when a transaction ends; with two transactions in flight
 * (on one node or two) the first to end would then lower the other's pre-invalidation too, and a query result cached
 * before the second commits would pass for fresh until its invalidation lands. Keeping them apart closes that gap.
 *
 * <p>Times are Hibernate timestamp units. A pre-invalidation past its time belongs to a transaction that died
 * and no longer counts. Immutable; encoded as text ({@code v1 <invalidated> [<tx>=<until> ...]}) and decoded
 * strictly, since it comes from a shared store.
 */
final class SpaceTimestamps {
    static final SpaceTimestamps NONE = new SpaceTimestamps(Long.MIN_VALUE, Map.of());
    private static final int MAX_TRANSACTIONS = 10_000;

    private final long invalidated;
    private final Map<String, Long> running;

    private SpaceTimestamps(long invalidated, Map<String, Long> running) {
        this.invalidated = invalidated;
        this.running = running;
    }

    /** The time Hibernate compares cached results with: after every running pre-invalidation and invalidation. */
    Long lastUpdate(long now) {
        long latest = invalidated;
        for (long until : running.values()) {
            if (until > now) {
                latest = Math.max(latest, until);
            }
        }
        return latest == Long.MIN_VALUE ? null : latest;
    }

    SpaceTimestamps preInvalidated(String transaction, long until, long now) {
        Map<String, Long> next = live(now);
        next.merge(transaction, until, Math::max);
        return new SpaceTimestamps(invalidated, next);
    }

    /** A transaction ended at {@code at}: its pre-invalidation goes, and the space's time never moves back. */
    SpaceTimestamps invalidated(String transaction, long at, long now) {
        Map<String, Long> next = live(now);
        next.remove(transaction);
        return new SpaceTimestamps(Math.max(invalidated, at), next);
    }

    private Map<String, Long> live(long now) {
        Map<String, Long> next = new TreeMap<>();
        running.forEach((tx, until) -> {
            if (until > now) {
                next.put(tx, until);
            }
        });
        return next;
    }

    byte[] encode() {
        StringBuilder out = new StringBuilder("v1 ").append(invalidated);
        running.forEach((tx, until) -> out.append(' ').append(tx).append('=').append(until));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException naming what is wrong, for bytes that are not an encoded value */
    static SpaceTimestamps decode(byte[] bytes) {
        String[] parts = new String(bytes, StandardCharsets.UTF_8).split(" ");
        if (parts.length < 2 || !parts[0].equals("v1") || parts.length - 2 > MAX_TRANSACTIONS) {
            throw new IllegalArgumentException("not an update-timestamps entry");
        }
        try {
            long invalidated = Long.parseLong(parts[1]);
            Map<String, Long> running = new TreeMap<>();
            for (int i = 2; i < parts.length; i++) {
                int eq = parts[i].lastIndexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("a running transaction without its time: " + parts[i]);
                }
                running.put(parts[i].substring(0, eq), Long.parseLong(parts[i].substring(eq + 1)));
            }
            return new SpaceTimestamps(invalidated, running);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a time that is not a number in an update-timestamps entry", e);
        }
    }
}
