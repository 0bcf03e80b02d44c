/**
 * Hibernate ORM second-level cache on the tiercache engine: {@link io.tiercache.hibernate.TierCacheRegionFactory},
 * selected with {@code hibernate.cache.region.factory_class=tiercache}.
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>Built on the engine, not on the JCache provider.</b> Soft locks need the engine's atomic per-id
 *   {@code compute}; going through JCache would add a copy and an entry-processor layer for nothing.</li>
 *   <li><b>Routing: L1 + L2; L3 is opt-in.</b> The application's database already is the ground truth, so a
 *   cache entry needs no SQL copy. Setting {@code hibernate.cache.tiercache.redis.url} gives the engine its L2
 *   (keys under {@code redis.prefix}, default {@code tc:}) and every region writes to L1 + L2, so SessionFactories
 *   in other JVMs sharing that Redis read each other's entries. Without it the engine runs L1-only
 *   ({@code sqlEnabled=false}). Setting {@code sql.url} (or {@code sql.enabled=true}) opens L3 and routes regions
 *   to it too (turn off per region with {@code region.<name>.l3=false}).</li>
 *   <li><b>Redis is never in the application's way.</b> The engine connects lazily when Redis is down at startup,
 *   serves a failed L2 read as a miss (Hibernate then loads from the database) and owes an invalidation for every
 *   write L2 missed, replaying them before it reads from L2 again, so a Redis that comes back is not served stale.
 *   Region counts come from Redis when it is configured; while it is down statistics show -1 instead of failing.</li>
 *   <li><b>L1 is a coherent near cache when Redis is configured:</b> the engine announces every flushed change on a
 *   Redis change stream each node follows, so another node's commit drops the entry from this node's L1 within
 *   milliseconds. Soft locks are compare-and-set within one JVM only until the engine has a cross-node
 *   compare-and-set; without Redis, nodes sharing an L3 should give regions they all update a short
 *   {@code region.<name>.ttl}.</li>
 *   <li><b>Keys are readable:</b> {@code <region>/[@<tenant>/]<entity or role>#<id>}, e.g.
 *   {@code com.acme.Person/com.acme.Person#42}. The id is Hibernate's disassembled id, with {@code % ( ) , / #}
 *   and control characters percent-escaped and composite ids written {@code (a,b)}. Query results use
 *   {@code <region>/[@tenant/]query#<sha-256 of the serialized QueryKey>}; update timestamps use the table name.
 *   Ids over the engine's 1024-byte limit become {@code <region>/sha256#<digest>}.</li>
 *   <li><b>Compact codecs, no Java serialization of Hibernate internals.</b> See
 *   {@link io.tiercache.hibernate.codec.EntryCodec} for the layout. Other classes are Java-serialized only when on
 *   {@code serialization.allowlist}, and read back through an {@link java.io.ObjectInputFilter} with that list.</li>
 *   <li><b>Schema fingerprint in the entry, not the key.</b> An update on a node with the new mapping must still
 *   evict the entry an old-mapping node wrote under the same id; a fingerprint in the key would leave it behind.
 *   A fingerprint mismatch, like any decode failure, is a miss and an evict (TIERCACHE-H101).</li>
 *   <li><b>READ_WRITE soft locks are compare-and-set through {@code SyncEngine.compute}</b> (owner + lock id,
 *   lock timeout, lock entries expire in the engine after the timeout). The last unlock drops the locked version
 *   and keeps only the unlock timestamp, so a rolled-back update does not keep the entity out of the cache until
 *   the lock times out (Hibernate's JVM-local locks do). TRANSACTIONAL needs a JTA platform, else startup fails
 *   naming the entity (TIERCACHE-E002).</li>
 *   <li><b>Timestamps</b> are Hibernate's unit (ms &lt;&lt; 12) from a hybrid logical clock that moves past
 *   timestamps read from shared entries, capped at the lock timeout ahead of the wall clock.</li>
 * </ul>
 */
package io.tiercache.hibernate;
