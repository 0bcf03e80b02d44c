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
            """ + RedisMerkleLua.FUNCTIONS + """
            local function remove(base, id, key, merkle, leafHint)
              local kind, _, state = stored(key)
              if kind == 'hash' and state then redis.call('ZREM', base .. 'st:' .. state, id) end
              if kind ~= 'none' then redis.call('DEL', key) end
              redis.call('ZREM', base .. 'ids', id)
              redis.call('ZREM', base .. 'exp', id)
              if merkle then untrack(base, id, leafHint) end
              return kind ~= 'none'
            end
            local function tombstone(base, id)
              local key = base .. 'd:' .. id
              if redis.call('TYPE', key)['ok'] ~= 'string' then return nil end
              local v = redis.call('GET', key)
              if validVersion(v) then return v end
              return nil
            end
            local function token(base, id, key)
              local kind, old = stored(key)
              if kind == 'hash' and validVersion(old) then return 'v:' .. old end
              local t = tombstone(base, id)
              if t then return 'd:' .. t end
              return '-'
            end
            local function putItem(K, A)
              local base, id, version, leaf = A[1], A[2], A[3], A[11] or ''
              remove(base, id, K[1], leaf ~= '', leaf)
              redis.call('DEL', base .. 'd:' .. id)
              local expiresAt, ttl = A[8], 0
              if expiresAt ~= '0' then
                ttl = tonumber(expiresAt) - tonumber(A[10])
                if ttl <= 0 then return 1 end
              end
              redis.call('HSET', K[1], 'payload', A[4], 'hash', A[5], 'version', version, 'type', A[6],
                'state', A[7], 'expires_at', expiresAt, 'updated_at', A[9])
              redis.call('ZADD', K[2], 0, id)
              redis.call('ZADD', K[4], 0, id)
              if A[12] and A[12] ~= '' then track(base, id, leaf, A[12]) end
              if ttl > 0 then
                redis.call('ZADD', K[3], expiresAt, id)
                local t = redis.call('TIME')
                local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl
                if deadline < 1e14 then redis.call('PEXPIREAT', K[1], string.format('%.0f', deadline)) end
              end
              return 1
            end
            """;

    /**
     * KEYS: item, ids, exp, state set. ARGV: base, id, version, payload, hash, type, state, expiresAt, updatedAt,
     * engineNow, merkle leaf ('' while merkle trees are off), merkle item digest ('' for an item the ground truth does
     * not hold, which the tree leaves out; see {@link RedisMerkleLua}).
     * Returns 1 if applied, 0 if the stored version is the same or newer. The Redis deadline is the time
     * left by the engine's clock added to Redis's own clock, then set with PEXPIREAT: absolute, so retrying a write
     * never extends a life, and independent of skew between the two clocks.
     */
    static final LuaScript UPSERT = new LuaScript("upsert", PRELUDE + """
            local kind, old = stored(KEYS[1])
            if newerStored(kind, old, ARGV[3]) then return 0 end
            local deleted = tombstone(ARGV[1], ARGV[2])
            if deleted and cmpVersion(deleted, ARGV[3]) >= 0 then return 0 end
            return putItem(KEYS, ARGV)
            """);

    /**
     * What a compare-and-set compares: KEYS: item. ARGV: base, id. Returns {token} or {token, fields...} where token
     * is {@code v:<version>} for a stored item (its HGETALL fields follow), {@code d:<version>} for a tombstone left
     * by a coordinated delete, {@code -} for nothing (a key of another type or with a garbage version is nothing).
     */
    static final LuaScript PEEK = new LuaScript("peek", PRELUDE + """
            local tok = token(ARGV[1], ARGV[2], KEYS[1])
            if string.sub(tok, 1, 2) ~= 'v:' then return {tok} end
            local out = redis.call('HGETALL', KEYS[1])
            table.insert(out, 1, tok)
            return out
            """);

    /**
     * The compare-and-set. KEYS: item, ids, exp, state set. ARGV: expected token, 'put' or 'delete', tombstone
     * lifetime in ms, then UPSERT's ARGV for a put, or DELETE's for a delete. Returns 1 if applied, 0 if the
     * stored token differs. A delete leaves a tombstone so that, until L3 has caught up, nobody reads the deleted
     * item back from L3 and builds on it.
     */
    static final LuaScript COMPARE_AND_SET = new LuaScript("compare-and-set", PRELUDE + """
            local A = {}
            for i = 4, #ARGV do A[#A + 1] = ARGV[i] end
            if token(A[1], A[2], KEYS[1]) ~= ARGV[1] then return 0 end
            if ARGV[2] == 'put' then
              putItem(KEYS, A)
              return 1
            end
            remove(A[1], A[2], KEYS[1], (A[4] or '') ~= '', A[4] or '')
            redis.call('SET', A[1] .. 'd:' .. A[2], A[3], 'PX', ARGV[3])
            return 1
            """);

    /** KEYS: item. ARGV: base, id, version, merkle leaf ('' while trees are off). Returns 1 if an item was removed. */
    static final LuaScript DELETE = new LuaScript("delete", PRELUDE + """
            local kind, old = stored(KEYS[1])
            if newerStored(kind, old, ARGV[3]) then return 0 end
            return remove(ARGV[1], ARGV[2], KEYS[1], ARGV[4] ~= '', ARGV[4]) and 1 or 0
            """);

    /**
     * Lists or counts live ids of one index in a lex range, at most {@code budget} members examined per call.
     * KEYS: index (ids or a state set), exp. ARGV: itemBase, min, max, limit, now, mode ('ids' or 'count'), budget.
     * Returns {next, ids...} or {next, count}; next is '' when the range is exhausted, else the lex bound to go on
     * from. Members whose item hash is gone (expired by Redis, evicted) are removed on the way.
     */
    static final LuaScript SCAN = new LuaScript("scan", RedisMerkleLua.FUNCTIONS + """
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
                  untrack(string.sub(itemBase, 1, #itemBase - 2), id, false)
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

    /**
     * KEYS: exp, ids. ARGV: base, now, budget. Removes items whose expiry is at or before now, and takes them out of
     * the merkle tree (a key Redis already dropped still has its ledger entry): {removed, examined, ids...}.
     */
    static final LuaScript PURGE = new LuaScript("purge", PRELUDE + """
            local base = ARGV[1]
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
            local removed = 0
            for _, id in ipairs(due) do
              if remove(base, id, base .. 'i:' .. id, true, false) then removed = removed + 1 end
            end
            local out = {removed, #due}
            for _, id in ipairs(due) do out[#out + 1] = id end
            return out
            """);

    /** KEYS: ids. ARGV: base, id... Removes the items whatever their version (eviction): how many existed. */
    static final LuaScript EVICT = new LuaScript("evict", PRELUDE + """
            local base, removed = ARGV[1], 0
            for i = 2, #ARGV do
              if remove(base, ARGV[i], base .. 'i:' .. ARGV[i], true, false) then removed = removed + 1 end
            end
            return removed
            """);

    static final List<LuaScript> ALL = List.of(UPSERT, PEEK, COMPARE_AND_SET, DELETE, SCAN, PURGE, EVICT,
            RedisMerkleLua.SET_NODES);

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
