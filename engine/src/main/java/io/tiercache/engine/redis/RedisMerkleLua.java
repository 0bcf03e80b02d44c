package io.tiercache.engine.redis;

import io.tiercache.engine.redis.LuaScripts.LuaScript;

/**
 * The Lua half of L2's merkle trees. Per namespace, in the namespace's slot:
 * <pre>
 * &lt;p&gt;{&lt;tag&gt;}:mt   HASH  merkle node path (hex digits, "r" for the root) → digest, 64 lower-case hex
 * &lt;p&gt;{&lt;tag&gt;}:md   HASH  id → its leaf (4 hex) ‖ its item digest (64 hex): what the id added to its leaf
 * &lt;p&gt;{&lt;tag&gt;}:bz   ZSET  leaf ‖ id, score 0: a bucket's ids with one ZRANGEBYLEX
 * &lt;p&gt;{&lt;tag&gt;}:mdirty SET leaves moved since their parents were last computed
 * </pre>
 * Redis's Lua has no SHA-256, so the engine computes item digests and parents; what runs here is the part that must
 * be atomic with the item: a write adds its digest to its leaf (256-bit arithmetic on 16-bit limbs, exact in Lua's
 * doubles) and records it in the ledger {@code md}; a removal subtracts what the ledger says the id added. Subtracting
 * the recorded digest rather than one recomputed from the item's fields keeps the leaf exact even when the item hash
 * was altered, or dropped by Redis itself (PEXPIREAT), before the removal. A moved leaf is added to {@code mdirty};
 * whoever reads the tree next (any node) first pops those leaves and recomputes their ancestors
 * ({@link #SET_NODES}, each parent only if its 16 children are still the values it was computed from). So writes pay
 * for leaves only, many batches share one recomputation of the upper levels, and a writer dying between a leaf and
 * its parents leaves the dirty mark in Redis for the next reader.
 */
final class RedisMerkleLua {
    /** Field of the root in the {@code mt} hash (an empty field name trips some tools). */
    static final String ROOT_FIELD = "r";

    static final String FUNCTIONS = """
            local ZERO = string.rep('0', 64)
            local function validDigest(v)
              return v and #v == 64 and not string.find(v, '[^0-9a-f]')
            end
            local function addHex(a, b, negate)
              local out, carry = {}, 0
              for i = 16, 1, -1 do
                local x = tonumber(string.sub(a, i * 4 - 3, i * 4), 16)
                local y = tonumber(string.sub(b, i * 4 - 3, i * 4), 16)
                local s
                if negate then
                  s = x - y - carry
                  if s < 0 then s = s + 65536; carry = 1 else carry = 0 end
                else
                  s = x + y + carry
                  if s >= 65536 then s = s - 65536; carry = 1 else carry = 0 end
                end
                out[i] = string.format('%04x', s)
              end
              return table.concat(out)
            end
            local function leafMove(base, leaf, digest, negate)
              local key = base .. 'mt'
              local cur = redis.call('HGET', key, leaf)
              if not validDigest(cur) then cur = ZERO end
              local nxt = addHex(cur, digest, negate)
              if nxt == ZERO then redis.call('HDEL', key, leaf) else redis.call('HSET', key, leaf, nxt) end
              redis.call('SADD', base .. 'mdirty', leaf)
            end
            local function untrack(base, id, leafHint)
              if leafHint then redis.call('ZREM', base .. 'bz', leafHint .. id) end
              local e = redis.call('HGET', base .. 'md', id)
              if not e then return end
              redis.call('HDEL', base .. 'md', id)
              if #e == 68 and not string.find(e, '[^0-9a-f]') then
                local leaf = string.sub(e, 1, 4)
                if leaf ~= leafHint then redis.call('ZREM', base .. 'bz', leaf .. id) end
                leafMove(base, leaf, string.sub(e, 5), true)
              end
            end
            local function track(base, id, leaf, digest)
              redis.call('HSET', base .. 'md', id, leaf .. digest)
              redis.call('ZADD', base .. 'bz', 0, leaf .. id)
              leafMove(base, leaf, digest, false)
            end
            """;

    /**
     * KEYS: mt. ARGV: triples of node field, new digest ('' deletes it), fingerprint. A node is set only if SHA-1 of
     * its 16 children's stored values joined by ',' (absent as '') equals the fingerprint ('' sets it
     * unconditionally: a leaf a repair recomputed). Returns the fields that were not set, for the engine to read again.
     */
    static final LuaScript SET_NODES = new LuaScript("merkle-set-nodes", """
            local failed = {}
            for i = 1, #ARGV, 3 do
              local field, value, fp = ARGV[i], ARGV[i + 1], ARGV[i + 2]
              local ok = true
              if fp ~= '' then
                local prefix = field == 'r' and '' or field
                local fields = {}
                for d = 0, 15 do fields[d + 1] = prefix .. string.format('%x', d) end
                local vals = redis.call('HMGET', KEYS[1], unpack(fields))
                for j = 1, 16 do if not vals[j] then vals[j] = '' end end
                ok = redis.sha1hex(table.concat(vals, ',')) == fp
              end
              if ok then
                if value == '' then redis.call('HDEL', KEYS[1], field) else redis.call('HSET', KEYS[1], field, value) end
              else
                failed[#failed + 1] = field
              end
            end
            return failed
            """);

    private RedisMerkleLua() {
    }
}
