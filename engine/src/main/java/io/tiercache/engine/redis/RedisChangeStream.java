package io.tiercache.engine.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The change log nodes keep their L1 coherent with: every flushed batch appends one entry naming the writing node
 * and, per write, its operation, version and id. Each node reads it from its own last position (not a consumer
 * group: every node must see every entry; not pub/sub, which loses what is sent while a node is disconnected).
 *
 * <p>Entry fields: {@code n} = the writer's node id, {@code w} = UTF-8 lines {@code <u|d> <version> <id>}; ids cannot
 * contain a newline (no control characters), so the lines parse unambiguously. The stream is trimmed to about
 * {@code cdcStreamMaxlen} entries; a reader whose last position was trimmed away has a gap and must drop its L1.
 */
public final class RedisChangeStream implements AutoCloseable {
    /** The stream position before the first entry. */
    public static final String START = "0-0";

    private final RedisConnections connections;
    private final byte[] key;
    private final long maxLength;
    private final long responseTimeoutMs;

    /**
     * One write: {@code deleted}, or stored at {@code version} ({@code deleted == false} also stands for "changed,
     * read it again", which is what an invalidation owed after an outage says).
     */
    public record Change(String id, long version, boolean deleted) {
        public static Change of(TierWrite write) {
            return new Change(write.id(), write.version(), write instanceof TierWrite.Delete);
        }
    }

    /**
     * What a read found: the position to continue after, the changes of other nodes, whether entries between
     * the previous position and this read were trimmed away before they were read, and whether it reached the
     * stream's end as Redis answered (a full batch may leave more behind).
     */
    public record Read(String position, List<Change> changes, boolean gap, boolean caughtUp) {
    }

    private static final int READ_BATCH = 1000;
    private static final String CONFIRM = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. string.format('%.0f', now))
            return now
            """;
    /** Entries are {@code <position> <millis>}; positions {@code <ms>-<seq>} compare as number pairs. */
    private static final String UNCONFIRMED = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local function parse(p)
              local ms, seq = string.match(p or '', '^(%d+)-(%d+)$')
              if not ms then return nil end
              return tonumber(ms), tonumber(seq)
            end
            local tms, tseq = parse(ARGV[2])
            local waiting = 0
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local node, value = all[i], all[i + 1]
              local pos, at = string.match(value, '^(%S+) (%d+)$')
              at = tonumber(at or '0')
              if now - at > 3600000 then
                redis.call('HDEL', KEYS[1], node)
              elseif node ~= ARGV[1] and now - at <= tonumber(ARGV[3]) then
                local ms, seq = parse(pos)
                if not ms or not tms or ms < tms or (ms == tms and seq < tseq) then waiting = waiting + 1 end
              end
            end
            return waiting
            """;
    private final byte[] readersKey;

    private RedisChangeStream(RedisConnections connections, SyncEngineConfig config) {
        this.connections = connections;
        this.readersKey = (config.redisPrefix() + "change-readers").getBytes(StandardCharsets.UTF_8);
        this.key = (config.redisPrefix() + "changes").getBytes(StandardCharsets.UTF_8);
        this.maxLength = config.cdcStreamMaxlen();
        this.responseTimeoutMs = config.redisResponseTimeoutMs();
    }

    /** Its own connections: a blocking read must not hold up the tier's commands. */
    public static RedisChangeStream open(SyncEngineConfig config) throws TierAccessException {
        return new RedisChangeStream(StreamConnections.open(config, "change stream"), config);
    }

    /** Appends one entry for a batch of changes this node applied; returns its position (null if none). */
    public String publish(String nodeId, List<Change> changes) throws TierAccessException {
        if (changes.isEmpty()) {
            return null;
        }
        StringBuilder lines = new StringBuilder(changes.size() * 48);
        for (Change change : changes) {
            lines.append(change.deleted() ? 'd' : 'u').append(' ').append(change.version())
                    .append(' ').append(change.id()).append('\n');
        }
        Map<byte[], byte[]> body = new LinkedHashMap<>();
        body.put(bytes("n"), bytes(nodeId));
        body.put(bytes("w"), bytes(lines.toString()));
        return await(connections.pipelined(commands -> ((RedisStreamAsyncCommands<byte[], byte[]>) commands)
                .xadd(key, XAddArgs.Builder.maxlen(maxLength).approximateTrimming(), body)), "appending changes");
    }

    /**
     * Records that {@code nodeId} has applied every entry up to {@code position}, stamped with Redis's clock (the
     * nodes' own clocks may disagree). Writers waiting in {@link #unconfirmed} read it. Returns Redis's clock in
     * milliseconds, the one time every node sharing this Redis can agree on.
     */
    public long confirm(String nodeId, String position) throws TierAccessException {
        return await(scripting().<Long>eval(CONFIRM, ScriptOutputType.INTEGER, new byte[][]{readersKey},
                bytes(nodeId), bytes(position)), "confirming the position");
    }

    /**
     * How many nodes other than {@code selfNodeId} confirmed a position within the last {@code leaseMs} (by Redis's
     * clock) but have not reached {@code position} yet. A node silent for longer is not waited for: its own lease
     * has run out too, so it does not serve from L1.
     */
    public long unconfirmed(String selfNodeId, String position, long leaseMs) throws TierAccessException {
        return await(scripting().<Long>eval(UNCONFIRMED, ScriptOutputType.INTEGER, new byte[][]{readersKey},
                bytes(selfNodeId), bytes(position), bytes(Long.toString(leaseMs))), "reading confirmations");
    }

    /** The position of the newest entry, where a node that starts now begins reading. */
    public String end() throws TierAccessException {
        List<StreamMessage<byte[], byte[]>> newest = await(streams().xrevrange(key,
                Range.unbounded(), Limit.from(1)), "reading the end");
        return newest.isEmpty() ? START : newest.get(0).getId();
    }

    /**
     * Changes after {@code position} made by nodes other than {@code selfNodeId}, waiting up to {@code blockMs} for
     * the first one.
     */
    public Read read(String position, String selfNodeId, long blockMs) throws TierAccessException {
        boolean gap = false;
        if (!START.equals(position)) {
            List<StreamMessage<byte[], byte[]>> still = await(streams().xrange(key,
                    Range.create(position, position)), "checking the position");
            gap = still.isEmpty();
        }
        List<StreamMessage<byte[], byte[]>> messages = await(streams().xread(
                XReadArgs.Builder.block(blockMs).count(READ_BATCH), XReadArgs.StreamOffset.from(key, position)),
                "reading changes");
        String next = position;
        List<Change> changes = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> message : messages) {
            next = message.getId();
            Map<String, String> fields = new LinkedHashMap<>();
            message.getBody().forEach((k, v) -> fields.put(text(k), text(v)));
            if (selfNodeId.equals(fields.get("n")) || fields.get("w") == null) {
                continue;
            }
            for (String line : fields.get("w").split("\n")) {
                Change change = parse(line);
                if (change != null) {
                    changes.add(change);
                }
            }
        }
        return new Read(next, changes, gap, messages.size() < READ_BATCH);
    }

    /** A line that does not parse is skipped: the entry came from a shared store and is not trusted. */
    private static Change parse(String line) {
        int first = line.indexOf(' ');
        int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
        if (first != 1 || second < 0 || second == line.length() - 1) {
            return null;
        }
        char op = line.charAt(0);
        if (op != 'u' && op != 'd') {
            return null;
        }
        try {
            return new Change(line.substring(second + 1), Long.parseLong(line.substring(first + 1, second)), op == 'd');
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private RedisScriptingAsyncCommands<byte[], byte[]> scripting() {
        return (RedisScriptingAsyncCommands<byte[], byte[]>) connections.direct();
    }

    @SuppressWarnings("unchecked")
    private RedisStreamAsyncCommands<byte[], byte[]> streams() {
        return (RedisStreamAsyncCommands<byte[], byte[]>) connections.direct();
    }

    private <T> T await(CompletionStage<T> stage, String what) throws TierAccessException {
        return StreamConnections.await(stage, responseTimeoutMs, "change stream", what);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        connections.close();
    }
}
