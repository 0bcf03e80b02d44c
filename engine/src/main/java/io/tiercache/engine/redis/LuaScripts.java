package io.tiercache.engine.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The server-side half of the Redis tier: every conditional or multi-key change runs as one of these scripts, so an
 * item hash and its index entries change together. Each script touches only keys of one namespace (one hash tag, one
 * Cluster slot); the first key of KEYS routes the call, and the other keys of the namespace are named from the
 * {@code base} argument ({@code <prefix>{<tag>}:}), so they are in the same slot by construction.
 *
 * <p>Versions are signed 64-bit integers and Lua numbers are doubles (exact only to 2^53, and hybrid-clock versions
 * are near 2^57), so versions are compared as canonical decimal strings, never as numbers. A stored version that is
 * not a canonical 64-bit decimal (garbage, or a key of another type) counts as older than any write, so the next
 * write repairs it instead of being blocked by it.
 */
final class LuaScripts {
    private static final String PRELUDE = """
            local function validVersion(v)
              if not v then return false end
              local neg = string.sub(v, 1, 1) == '-'
              local d = neg and string.sub(v, 2) or v
              if not string.match(d, '^%d+$') or #d > 19 then return false end
              if #d > 1 and string.sub(d, 1, 1) == '0' then return false end
              if neg and d == '0' then return false end
              if #d == 19 and d > (neg and '9223372036854775808' or '9223372036854775807') then return false end
              return true
            end
            local function cmpVersion(a, b)
              local na, nb = string.sub(a, 1, 1) == '-', string.sub(b, 1, 1) == '-'
              if na ~= nb then return na and -1 or 1 end
              local r = 0
              if #a ~= #b then r = (#a < #b) and -1 or 1 elseif a ~= b then r = (a < b) and -1 or 1 end
              if na then r = -r end
              return r
            end
            local function stored(key)
              local t = redis.call('TYPE', key)['ok']
              if t == 'none' then return 'none' end
              if t ~= 'hash' then return 'other' end
              local f = redis.call('HMGET', key, 'version', 'state')
              return 'hash', f[1], f[2]
            end
            local function newerStored(kind, old, version)
              return kind == 'hash' and validVersion(old) and cmpVersion(old, version) >= 0
            end
            local function remove(base, id, key)
              local kind, _, state = stored(key)
              if kind == 'hash' and state then redis.call('ZREM', base .. 'st:' .. state, id) end
              if kind ~= 'none' then redis.call('DEL', key) end
              redis.call('ZREM', base .. 'ids', id)
              redis.call('ZREM', base .. 'exp', id)
              return kind ~= 'none'
            end
            """;

    /**
     * KEYS: item, ids, exp, state set. ARGV: base, id, version, payload, hash, type, state, expiresAt, updatedAt,
     * engineNow. Returns 1 if applied, 0 if the stored version is the same or newer. The Redis deadline is the time
     * left by the engine's clock added to Redis's own clock, then set with PEXPIREAT: absolute, so retrying a write
     * never extends a life, and independent of skew between the two clocks.
     */
    static final LuaScript UPSERT = new LuaScript("upsert", PRELUDE + """
            local base, id, version = ARGV[1], ARGV[2], ARGV[3]
            local kind, old = stored(KEYS[1])
            if newerStored(kind, old, version) then return 0 end
            remove(base, id, KEYS[1])
            local expiresAt, ttl = ARGV[8], 0
            if expiresAt ~= '0' then
              ttl = tonumber(expiresAt) - tonumber(ARGV[10])
              if ttl <= 0 then return 1 end
            end
            redis.call('HSET', KEYS[1], 'payload', ARGV[4], 'hash', ARGV[5], 'version', version, 'type', ARGV[6],
              'state', ARGV[7], 'expires_at', expiresAt, 'updated_at', ARGV[9])
            redis.call('ZADD', KEYS[2], 0, id)
            redis.call('ZADD', KEYS[4], 0, id)
            if ttl > 0 then
              redis.call('ZADD', KEYS[3], expiresAt, id)
              local t = redis.call('TIME')
              local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl
              if deadline < 1e14 then redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', deadline)) end
            end
            return 1
            """);

    /** KEYS: item. ARGV: base, id, version. Returns 1 if an item was removed. */
    static final LuaScript DELETE = new LuaScript("delete", PRELUDE + """
            local kind, old = stored(KEYS[1])
            if newerStored(kind, old, ARGV[3]) then return 0 end
            return remove(ARGV[1], ARGV[2], KEYS[1]) and 1 or 0
            """);

    /**
     * Lists or counts live ids of one index in a lex range, at most {@code budget} members examined per call.
     * KEYS: index (ids or a state set), exp. ARGV: itemBase, min, max, limit, now, mode ('ids' or 'count'), budget.
     * Returns {next, ids...} or {next, count}; next is '' when the range is exhausted, else the lex bound to go on
     * from. Members whose item hash is gone (expired by Redis, evicted) are removed on the way.
     */
    static final LuaScript SCAN = new LuaScript("scan", """
            local itemBase, min, max = ARGV[1], ARGV[2], ARGV[3]
            local limit, now, mode, budget = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
            local out, n = {''}, 0
            while budget > 0 do
              local want = budget
              if mode == 'ids' then want = math.min(budget, limit - n) end
              local batch = redis.call('ZRANGEBYLEX', KEYS[1], min, max, 'LIMIT', 0, want)
              for _, id in ipairs(batch) do
                if redis.call('EXISTS', itemBase .. id) == 0 then
                  redis.call('ZREM', KEYS[1], id)
                  redis.call('ZREM', KEYS[2], id)
                else
                  local e = redis.call('ZSCORE', KEYS[2], id)
                  if not e or tonumber(e) > now then
                    n = n + 1
                    if mode == 'ids' then out[n + 1] = id end
                  end
                end
                min = '(' .. id
              end
              budget = budget - #batch
              if #batch < want or (mode == 'ids' and n >= limit) then
                if mode == 'count' then out[2] = n end
                return out
              end
            end
            out[1] = min
            if mode == 'count' then out[2] = n end
            return out
            """);

    /** KEYS: exp, ids. ARGV: base, now, budget. Removes items whose expiry is at or before now: {removed, examined}. */
    static final LuaScript PURGE = new LuaScript("purge", PRELUDE + """
            local base = ARGV[1]
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
            local removed = 0
            for _, id in ipairs(due) do
              if remove(base, id, base .. 'i:' .. id) then removed = removed + 1 end
            end
            return {removed, #due}
            """);

    /** KEYS: ids. ARGV: base, id... Removes the items whatever their version (eviction): how many existed. */
    static final LuaScript EVICT = new LuaScript("evict", PRELUDE + """
            local base, removed = ARGV[1], 0
            for i = 2, #ARGV do
              if remove(base, ARGV[i], base .. 'i:' .. ARGV[i]) then removed = removed + 1 end
            end
            return removed
            """);

    static final List<LuaScript> ALL = List.of(UPSERT, DELETE, SCAN, PURGE, EVICT);

    private LuaScripts() {
    }

    /** A script and its SHA-1, the name EVALSHA knows it by. */
    record LuaScript(String name, String source, String sha) {
        LuaScript(String name, String source) {
            this(name, source, sha1(source));
        }

        private static String sha1(String source) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(source.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is missing from this JVM", e);
            }
        }
    }
}
