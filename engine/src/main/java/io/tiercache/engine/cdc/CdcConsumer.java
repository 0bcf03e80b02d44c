package io.tiercache.engine.cdc;

import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.Tier;
import io.tiercache.engine.TierUnavailableException;
import io.tiercache.engine.redis.RedisCdcStream;
import io.tiercache.engine.tier.TierAccessException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads an engine's change data capture stream as one member of a consumer group: every change is delivered to one
 * member of the group, at least once (what a member read but did not acknowledge is delivered to it again, first,
 * after a restart). Use {@code SyncEngine.isCurrent(id, hash)} on the receiving side to skip duplicates.
 *
 * <pre>{@code
 * try (CdcConsumer consumer = CdcConsumer.open(config, "search-indexer", "worker-1")) {
 *     List<CdcEvent> events = consumer.poll(100, Duration.ofMillis(500));
 *     events.forEach(indexer::apply);
 *     consumer.ack(events);
 * }
 * }</pre>
 * The engine writes the stream when {@code enableCdcStream} is set and Redis is configured.
 */
public final class CdcConsumer implements AutoCloseable {
    private final RedisCdcStream stream;
    private final String group;
    private final String name;
    private final long maxBlockMs;

    private CdcConsumer(RedisCdcStream stream, String group, String name, long maxBlockMs) {
        this.stream = stream;
        this.group = group;
        this.name = name;
        this.maxBlockMs = maxBlockMs;
    }

    /** Joins {@code group} (created at the stream's current end if new) as {@code name}. */
    public static CdcConsumer open(SyncEngineConfig config, String group, String name) {
        Objects.requireNonNull(config.redisUrl(), "the CDC stream lives in Redis: redisUrl must be set");
        requireName("group", group);
        requireName("consumer name", name);
        try {
            RedisCdcStream stream = RedisCdcStream.open(config);
            try {
                stream.createGroup(group);
            } catch (TierAccessException e) {
                stream.close();
                throw e;
            }
            return new CdcConsumer(stream, group, name, Math.max(1, config.redisResponseTimeoutMs() / 2));
        } catch (TierAccessException e) {
            throw new TierUnavailableException(Tier.L2, "cannot open the CDC stream: " + e.getMessage(), e);
        }
    }

    /** Up to {@code max} changes, waiting up to {@code wait} (capped at half the Redis response timeout). */
    public List<CdcEvent> poll(int max, Duration wait) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        try {
            List<CdcEvent> read = stream.read(group, name, max, Math.min(maxBlockMs, Math.max(1, wait.toMillis())));
            List<CdcEvent> valid = new ArrayList<>(read.size());
            List<String> unreadable = new ArrayList<>();
            for (CdcEvent event : read) {
                if (event.id() == null) {
                    unreadable.add(event.streamId());
                } else {
                    valid.add(event);
                }
            }
            // An entry that does not parse would come back forever: it is acknowledged and dropped.
            stream.ack(group, unreadable);
            return valid;
        } catch (TierAccessException e) {
            throw new TierUnavailableException(Tier.L2, "cannot read the CDC stream: " + e.getMessage(), e);
        }
    }

    /** Marks changes as handled; unacknowledged ones are delivered again to this consumer. */
    public void ack(List<CdcEvent> events) {
        try {
            stream.ack(group, events.stream().map(CdcEvent::streamId).toList());
        } catch (TierAccessException e) {
            throw new TierUnavailableException(Tier.L2, "cannot acknowledge CDC entries: " + e.getMessage(), e);
        }
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isBlank() || value.length() > 200
                || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must be 1..200 printable characters, got '" + value + "'");
        }
    }

    @Override
    public void close() {
        stream.close();
    }
}
