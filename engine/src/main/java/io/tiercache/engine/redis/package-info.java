/**
 * L2: the Redis tier ({@link io.tiercache.engine.redis.RedisTier}), on Lettuce, shared by every node.
 *
 * <h2>Key layout</h2>
 * Every key starts with the configured {@code redisPrefix} ({@code <p>}, default {@code tc:}). An id's
 * <em>namespace</em> is the id up to and including its first {@code '/'} ({@code users/42} → {@code users/}; the JCache
 * layer's {@code <cache>/<key>} and Hibernate's {@code <region>/...} ids make one namespace per cache or region). Ids
 * without a {@code '/'} share the <em>root</em> namespace. All keys of a namespace carry the namespace as a Redis
 * Cluster hash tag, so they live in one slot and one Lua script can change an item and its index entries atomically:
 * <pre>
 * &lt;p&gt;{&lt;tag&gt;}:i:&lt;id&gt;       HASH  payload, hash, version, type, state, expires_at, updated_at
 *                                (PEXPIREAT when it expires)
 * &lt;p&gt;{&lt;tag&gt;}:ids           ZSET  every id of the namespace, score 0: ZRANGEBYLEX lists ids in byte order
 * &lt;p&gt;{&lt;tag&gt;}:st:&lt;state&gt;    ZSET  ids in that state, score 0 (state membership, pageable in id order)
 * &lt;p&gt;{&lt;tag&gt;}:exp           ZSET  expiring ids scored by expires_at (engine clock), for scans and purges
 * &lt;p&gt;namespaces              ZSET  every namespace that ever held an item (root excepted), score 0
 * &lt;p&gt;{&lt;tag&gt;}:mt            HASH  merkle nodes; :md (digest ledger), :bz (bucket index), :mdirty
 *                                (leaves awaiting their parents): see RedisMerkleLua
 * </pre>
 * {@code <tag>} is the namespace with <code>%</code> and <code>&#125;</code> percent-encoded, so a brace in a
 * namespace cannot end the tag early ({@code users/}), or {@code ~} for the root namespace (real tags always end with
 * '/', so neither collides). A prefix may hold braces of its own: then the tag Redis sees is still the same for all
 * keys of a namespace (or, with a whole {@code {...}} in the prefix, one slot for everything), never split. Reserved
 * for what comes next, per namespace and in the same slot: {@code <p>{<tag>}:cdc} (STREAM).
 *
 * <p>State membership uses sorted sets of score 0 rather than plain SETs: the same membership test and count, plus
 * paging in id order after an {@code afterId}, as the tier contract asks, without reading a whole set per page.
 *
 * <p>Why a namespace and not the whole id or the whole prefix as the tag: one slot per item would make the index a
 * cross-slot write; one slot for everything would put all data on one Cluster node. A namespace is what prefix scans,
 * merkle trees and invalidation streams are naturally per. Scans whose prefix reaches past a '/' read one namespace;
 * shorter prefixes and state scans read the registry, ask each matching namespace (one pipeline) and merge. The
 * registry is written in the same pipeline just before the item scripts and never shrinks by itself: namespaces are
 * caches and regions, few and long-lived.
 *
 * <h2>Order, versions, expiry</h2>
 * ZSET members of equal score sort by memcmp, the byte order of UTF-8, which is the code point order of
 * {@link io.tiercache.engine.internal.IdOrder}. Writes are Lua scripts (EVALSHA, then EVAL once on NOSCRIPT) that apply
 * an upsert only over an older stored version and a delete only of an older one, comparing 64-bit versions as
 * decimal strings (Lua numbers are doubles). A batch is one pipeline on a connection that flushes only when told, so
 * it costs one round trip; it is not atomic as a whole, each write is. {@code expires_at} is kept exactly on the
 * engine's clock (scans and purges compare against the caller's {@code nowMillis}); Redis drops the hash by itself at
 * the PEXPIREAT deadline "Redis now + time left on the engine clock", computed in the script. Index entries of items
 * Redis dropped are removed lazily by the next scan over them (or by a purge or eviction round), and
 * {@link io.tiercache.engine.redis.RedisTier#size()} counts them until then. Counts walk the index on the server in
 * steps of 2,000 members (so no script holds Redis long): a count costs one round trip per 2,000 ids.
 *
 * <p>Deletes leave no tombstone, as in L3: an upsert older than a delete that arrives after it stores the item again
 * (L1 keeps versioned tombstones). An upsert of the version already stored is a
 * no-op even over a corrupt copy: {@link io.tiercache.engine.redis.RedisTier#invalidate} drops such a copy first.
 *
 * <h2>Hostile data</h2>
 * What Redis returns is checked, not trusted: a key of another type, a missing or malformed field reads as an item
 * whose hash check fails (content hash {@code unreadable-<field>}), so the engine sees a corrupt copy and heals it; an
 * index member that is not a valid id is skipped with a warning; a stored version that is not a 64-bit decimal never
 * blocks a write.
 *
 * <h2>Connections</h2>
 * {@code redis://}, {@code rediss://} (TLS) and {@code redis-sentinel://} URLs go to Lettuce's {@code RedisURI};
 * {@code redis-cluster://host:port,host:port} (and {@code rediss-cluster://}) to its {@code RedisClusterClient}, with
 * the listed nodes as seeds ({@code RedisUrl}). User and password are in the URL. {@code redisTimeoutMs} bounds
 * connecting, {@code redisResponseTimeoutMs} bounds every tier call as a whole. While disconnected, commands fail at
 * once instead of queueing. Requires Redis 6.2 or newer (ZRANDMEMBER for eviction sampling).
 *
 * <h2>Redis Cluster</h2>
 * Everything above runs unchanged on a cluster: the tier issues the same async commands and Lettuce routes each to
 * the master of its key's slot ({@code RedisConnections} says why batches are not manually flushed there). What makes
 * that safe:
 * <ul>
 *   <li>Every script's keys are of one namespace, one slot: the first key routes the call, the others are named from
 *       {@code base} and share its hash tag. A batch, a {@code getMany} or a scan over several namespaces is many
 *       single-slot commands, which Lettuce sends to their nodes; nothing is a multi-key command across slots.</li>
 *   <li>The registry ({@code <p>namespaces}) and the streams ({@code <p>changes}, {@code <p>cdc}) are single keys,
 *       each in a slot of its own; the streams' blocking reads use connections of their own.</li>
 *   <li>NOSCRIPT (a replica promoted, a node restarted) is answered with EVAL on the same key, which lands on the node
 *       that lacked the script and caches it there.</li>
 *   <li>PING and INFO are per node, so health pings every master and eviction measures each master against its own
 *       {@code maxmemory} and relieves it from the namespaces it serves ({@code RedisMasters}). The tier never needs
 *       SCAN or KEYS: its indexes list what it stored.</li>
 * </ul>
 * While a master is down, calls touching its slots fail (the tier's usual {@code TierAccessException}) and the ping
 * reports it, so the engine serves from L3 and owes L2 the invalidations, as with a standalone outage. A tier opens
 * while a master is down (scripts are loaded where nodes answer), and eviction goes on for the masters that answer.
 *
 * <h2>Eviction</h2>
 * {@link io.tiercache.engine.redis.RedisTier#evictIfNeeded()} removes least-recently-used items of this prefix when
 * Redis nears its {@code maxmemory}. Recency is Redis's own per-key LRU clock, read with OBJECT IDLETIME over a
 * ZRANDMEMBER sample of this prefix's ids (OBJECT FREQ under an LFU policy), so reads stay one HGETALL with nothing to
 * write and tracking costs no memory. Only item hashes and their index entries are removed (the "cache-only" data),
 * never the registry or keys of other prefixes.
 */
package io.tiercache.engine.redis;
