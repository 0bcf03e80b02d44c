package io.tiercache.engine.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.tiercache.engine.ContentType;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.cdc.CdcEvent;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Change data capture on a Redis Stream ({@code <prefix>cdc}): one entry per applied change with its operation,
 * id, version, content hash, type, state, expiry and, up to {@link #MAX_PAYLOAD_BYTES}, the payload. Trimmed to about
 * {@code cdcStreamMaxlen} entries. Consumers read it through consumer groups, at least once.
 */
public final class RedisCdcStream implements AutoCloseable {
    /** Larger payloads are left out of the entry; the consumer reads the item when it needs the bytes. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    private final RedisConnections connections;
    private final byte[] key;
    private final long maxLength;
    private final long responseTimeoutMs;

    private RedisCdcStream(RedisConnections connections, SyncEngineConfig config) {
        this.connections = connections;
        this.key = bytes(config.redisPrefix() + "cdc");
        this.maxLength = config.cdcStreamMaxlen();
        this.responseTimeoutMs = config.redisResponseTimeoutMs();
    }

    public static RedisCdcStream open(SyncEngineConfig config) throws TierAccessException {
        return new RedisCdcStream(StreamConnections.open(config, "CDC stream"), config);
    }

    /** Appends one entry per change, the whole batch in one round trip. */
    public void publish(List<? extends TierWrite> writes) throws TierAccessException {
        if (writes.isEmpty()) {
            return;
        }
        List<CompletableFuture<String>> added = connections.pipelined(commands -> {
            List<CompletableFuture<String>> futures = new ArrayList<>(writes.size());
            RedisStreamAsyncCommands<byte[], byte[]> streams = commands;
            for (TierWrite write : writes) {
                futures.add(streams.xadd(key, XAddArgs.Builder.maxlen(maxLength).approximateTrimming(), body(write))
                        .toCompletableFuture());
            }
            return futures;
        });
        await(CompletableFuture.allOf(added.toArray(new CompletableFuture<?>[0])), "appending CDC entries");
    }

    private static Map<byte[], byte[]> body(TierWrite write) {
        Map<byte[], byte[]> body = new LinkedHashMap<>();
        body.put(bytes("op"), bytes(write instanceof TierWrite.Delete ? "delete" : "upsert"));
        body.put(bytes("id"), bytes(write.id()));
        body.put(bytes("version"), bytes(Long.toString(write.version())));
        if (write instanceof TierWrite.Upsert upsert) {
            SyncItem item = upsert.item();
            body.put(bytes("hash"), bytes(item.contentHash()));
            body.put(bytes("type"), bytes(item.contentType().name()));
            body.put(bytes("state"), bytes(item.state()));
            body.put(bytes("expires_at"), bytes(Long.toString(item.expiresAt())));
            if (item.payloadSize() <= MAX_PAYLOAD_BYTES) {
                body.put(bytes("payload"), item.payload());
            }
        }
        return body;
    }

    /** Creates the consumer group at the stream's end if it does not exist yet (and the stream with it). */
    public void createGroup(String group) throws TierAccessException {
        try {
            await(streams().xgroupCreate(XReadArgs.StreamOffset.from(key, "$"), bytes(group),
                    XGroupCreateArgs.Builder.mkstream(true)), "creating group " + group);
        } catch (TierAccessException e) {
            if (!(e.getCause() instanceof RedisBusyException)) {
                throw e;
            }
        }
    }

    /**
     * Entries for {@code consumer} in {@code group}: first those it was given before and has not acknowledged
     * (at-least-once after a crash), then new ones, waiting up to {@code blockMs}.
     */
    public List<CdcEvent> read(String group, String consumer, int count, long blockMs) throws TierAccessException {
        Consumer<byte[]> who = Consumer.from(bytes(group), bytes(consumer));
        List<StreamMessage<byte[], byte[]>> pending = await(streams().xreadgroup(who,
                XReadArgs.Builder.count(count), XReadArgs.StreamOffset.from(key, "0")), "reading pending entries");
        if (pending.isEmpty()) {
            pending = await(streams().xreadgroup(who, XReadArgs.Builder.count(count).block(blockMs),
                    XReadArgs.StreamOffset.lastConsumed(key)), "reading new entries");
        }
        List<CdcEvent> events = new ArrayList<>(pending.size());
        for (StreamMessage<byte[], byte[]> message : pending) {
            CdcEvent event = parse(message);
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    public void ack(String group, List<String> streamIds) throws TierAccessException {
        if (streamIds.isEmpty()) {
            return;
        }
        await(streams().xack(key, bytes(group), streamIds.toArray(new String[0])), "acknowledging");
    }

    /** An entry that does not parse (hostile or truncated) is left out; the caller acknowledges it with the rest. */
    private static CdcEvent parse(StreamMessage<byte[], byte[]> message) {
        Map<String, byte[]> fields = new HashMap<>();
        if (message.getBody() == null) {
            return null;
        }
        message.getBody().forEach((k, v) -> fields.put(new String(k, StandardCharsets.UTF_8), v));
        try {
            String op = text(fields.get("op"));
            String id = text(fields.get("id"));
            long version = Long.parseLong(text(fields.get("version")));
            if ("delete".equals(op)) {
                return new CdcEvent(message.getId(), id, version, true, null, null, null, 0, Optional.empty());
            }
            return new CdcEvent(message.getId(), id, version, false, text(fields.get("hash")),
                    ContentType.fromTag(text(fields.get("type"))), text(fields.get("state")),
                    Long.parseLong(text(fields.get("expires_at"))), Optional.ofNullable(fields.get("payload")));
        } catch (RuntimeException e) {
            return new CdcEvent(message.getId(), null, -1, false, null, null, null, 0, Optional.empty());
        }
    }

    @SuppressWarnings("unchecked")
    private RedisStreamAsyncCommands<byte[], byte[]> streams() {
        return (RedisStreamAsyncCommands<byte[], byte[]>) connections.direct();
    }

    private <T> T await(CompletionStage<T> stage, String what) throws TierAccessException {
        return StreamConnections.await(stage, responseTimeoutMs + 1000, "CDC stream", what);
    }

    private static String text(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("missing field");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        connections.close();
    }
}
