package io.tiercache.engine.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.merkle.CacheTreeTier;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.IncrementalUpdate;
import io.tiercache.engine.merkle.MerkleNamespaces;
import io.tiercache.engine.merkle.MerklePath;
import io.tiercache.engine.merkle.MerkleTree;
import io.tiercache.engine.merkle.NodeSource;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's half of L2's merkle trees (the Lua half and the key layout: {@link RedisMerkleLua}): reads nodes,
 * sets parents after a batch moved leaves, lists buckets, repairs them.
 *
 * <p>Parents are recomputed here because Redis's Lua has no SHA-256. Several nodes may settle one tree at once, so
 * a parent is written only if its children are still what it was computed from ({@link RedisMerkleLua#SET_NODES});
 * a refused one is read and computed again. Whoever changed a child meanwhile settles the parent after its change,
 * so the last settle of a parent always sees the final children.
 */
final class RedisMerkle implements CacheTreeTier {
    private static final Logger LOG = LoggerFactory.getLogger(RedisMerkle.class);
    private static final int SETTLE_ATTEMPTS = 5;
    private static final int DIRTY_POP = 8_192;
    private static final HexFormat HEX = HexFormat.of();
    /** KEYS: bz. ARGV: leaves. The members (leaf ‖ id) of every leaf given. */
    private static final LuaScripts.LuaScript BUCKET_IDS = new LuaScripts.LuaScript("merkle-bucket-ids", """
            local out = {}
            for _, leaf in ipairs(ARGV) do
              for _, m in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], '[' .. leaf, '[' .. leaf .. '\\255')) do
                out[#out + 1] = m
              end
            end
            return out
            """);

    private final RedisItemStore store;
    private final RedisKeys keys;
    private final RedisTier.Awaiter awaiter;
    private final TimeSource time;

    RedisMerkle(RedisItemStore store, RedisTier.Awaiter awaiter, TimeSource time) {
        this.store = store;
        this.keys = store.keys();
        this.awaiter = awaiter;
        this.time = time;
    }

    static String redisNamespace(String merkleNamespace) {
        return merkleNamespace.equals(MerkleNamespaces.ROOT) ? "" : merkleNamespace;
    }

    private byte[] nodesKey(String merkleNamespace) {
        return RedisKeys.bytes(keys.base(redisNamespace(merkleNamespace)) + "mt");
    }

    private static byte[] field(MerklePath path) {
        return RedisKeys.bytes(path.isRoot() ? RedisMerkleLua.ROOT_FIELD : path.hex());
    }

    /** Raw stored values of the paths, null where absent (what a fingerprint is computed over). */
    private Map<MerklePath, byte[]> raw(String namespace, Collection<MerklePath> paths) throws TierAccessException {
        List<MerklePath> all = new ArrayList<>(new LinkedHashSet<>(paths));
        Map<MerklePath, byte[]> out = new HashMap<>();
        if (all.isEmpty()) {
            return out;
        }
        byte[][] fields = all.stream().map(RedisMerkle::field).toArray(byte[][]::new);
        List<KeyValue<byte[], byte[]>> values = awaiter.await(store.withDirect(c -> c.hmget(nodesKey(namespace),
                fields).toCompletableFuture()), "reading " + all.size() + " merkle nodes of '" + namespace + "'");
        for (int i = 0; i < all.size(); i++) {
            KeyValue<byte[], byte[]> kv = values.get(i);
            out.put(all.get(i), kv.hasValue() ? kv.getValue() : null);
        }
        return out;
    }

    /** A stored value as a digest; anything but 64 lower-case hex digits reads as empty. */
    private static Digest256 parse(byte[] raw) {
        if (raw == null || raw.length != 2 * Digest256.BYTES) {
            return Digest256.ZERO;
        }
        for (byte b : raw) {
            if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'f'))) {
                return Digest256.ZERO;
            }
        }
        return Digest256.fromHex(new String(raw, StandardCharsets.US_ASCII));
    }

    /** Every read of the tree first settles the leaves writes moved since the last read (see RedisMerkleLua). */
    @Override
    public NodeSource source(String namespace) {
        return paths -> {
            settleDirty(namespace);
            Map<MerklePath, Digest256> out = new HashMap<>();
            raw(namespace, paths).forEach((path, value) -> {
                Digest256 digest = parse(value);
                if (!digest.isZero()) {
                    out.put(path, digest);
                }
            });
            return out;
        };
    }

    /**
     * Pops the dirty leaves and recomputes their ancestors. Popped before the children are read, so a leaf moved
     * during the settle marks itself dirty again rather than being lost.
     */
    private void settleDirty(String namespace) throws TierAccessException {
        byte[] key = RedisKeys.bytes(keys.base(redisNamespace(namespace)) + "mdirty");
        while (true) {
            Set<byte[]> popped = awaiter.await(store.withDirect(c -> c.spop(key, DIRTY_POP).toCompletableFuture()),
                    "popping dirty merkle leaves of '" + namespace + "'");
            List<MerklePath> leaves = new ArrayList<>(popped.size());
            for (byte[] member : popped) {
                try {
                    MerklePath leaf = MerklePath.of(new String(member, StandardCharsets.UTF_8));
                    if (leaf.isLeaf()) {
                        leaves.add(leaf);
                    }
                } catch (IllegalArgumentException e) {
                    LOG.debug("ignoring a dirty merkle mark that is not a leaf path in '{}'", namespace);
                }
            }
            if (!leaves.isEmpty()) {
                settle(namespace, leaves, false);
            }
            if (popped.size() < DIRTY_POP) {
                return;
            }
        }
    }

    @Override
    public void settle(String namespace, Collection<MerklePath> paths) throws TierAccessException {
        settle(namespace, paths, true);
    }

    private void settle(String namespace, Collection<MerklePath> changed, boolean toRoot) throws TierAccessException {
        IncrementalUpdate.settleUpwards(changed, parents -> settleLevel(namespace, parents, toRoot));
    }

    /** Sets the parents from their children; returns those whose parents must be settled next. */
    private List<MerklePath> settleLevel(String namespace, List<MerklePath> parents, boolean toRoot)
            throws TierAccessException {
        List<MerklePath> propagate = new ArrayList<>(toRoot ? parents : List.of());
        List<MerklePath> pending = parents;
        for (int attempt = 0; attempt < SETTLE_ATTEMPTS && !pending.isEmpty(); attempt++) {
            List<MerklePath> wanted = new ArrayList<>();
            for (MerklePath parent : pending) {
                wanted.add(parent);
                wanted.addAll(parent.children());
            }
            Map<MerklePath, byte[]> raw = raw(namespace, wanted);
            List<byte[]> args = new ArrayList<>();
            Map<String, MerklePath> byField = new HashMap<>();
            for (MerklePath parent : pending) {
                Digest256[] children = new Digest256[MerklePath.FANOUT];
                List<byte[]> childRaw = new ArrayList<>(MerklePath.FANOUT);
                for (int d = 0; d < MerklePath.FANOUT; d++) {
                    byte[] value = raw.get(parent.child(d));
                    children[d] = parse(value);
                    childRaw.add(value);
                }
                Digest256 digest = MerkleTree.parentDigest(children);
                byte[] canonical = digest.isZero() ? null : RedisKeys.bytes(digest.toHex());
                if (!java.util.Arrays.equals(raw.get(parent), canonical)) {
                    args.add(field(parent));
                    args.add(canonical == null ? new byte[0] : canonical);
                    args.add(RedisKeys.bytes(fingerprint(childRaw)));
                    byField.put(parent.isRoot() ? RedisMerkleLua.ROOT_FIELD : parent.hex(), parent);
                }
            }
            if (args.isEmpty()) {
                break;
            }
            List<Object> refused = setNodes(namespace, args);
            List<MerklePath> retry = new ArrayList<>();
            for (Object f : refused) {
                retry.add(byField.get(new String((byte[]) f, StandardCharsets.UTF_8)));
            }
            for (MerklePath path : byField.values()) {
                if (!retry.contains(path) && !propagate.contains(path)) {
                    propagate.add(path);
                }
            }
            pending = retry;
        }
        if (!pending.isEmpty()) {
            LOG.debug("{} merkle nodes of '{}' kept changing while being settled; the next settle or sync sets them",
                    pending.size(), namespace);
            propagate.addAll(pending);
        }
        return propagate;
    }

    private List<Object> setNodes(String namespace, List<byte[]> args) throws TierAccessException {
        return awaiter.await(store.withDirect(c -> store.scripts().<List<Object>>run(c, RedisMerkleLua.SET_NODES,
                ScriptOutputType.MULTI, new byte[][]{nodesKey(namespace)}, args.toArray(byte[][]::new))),
                "setting " + args.size() / 3 + " merkle nodes of '" + namespace + "'");
    }

    /** SHA-1 over the children's raw values joined by ',' (absent as empty), as {@code SET_NODES} computes it. */
    private static String fingerprint(List<byte[]> values) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    sha1.update((byte) ',');
                }
                if (values.get(i) != null) {
                    sha1.update(values.get(i));
                }
            }
            return HEX.formatHex(sha1.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    @Override
    public List<String> namespaces() throws TierAccessException {
        List<String> redisNamespaces = awaiter.await(store.namespaces(NamespaceQuery.byPrefix("")),
                "listing namespaces");
        List<String> out = new ArrayList<>();
        for (String ns : redisNamespaces) {
            out.add(ns.isEmpty() ? MerkleNamespaces.ROOT : ns);
        }
        return out;
    }

    private List<String> bucketIds(String namespace, Collection<MerklePath> leaves) throws TierAccessException {
        byte[] key = RedisKeys.bytes(keys.base(redisNamespace(namespace)) + "bz");
        byte[][] args = leaves.stream().map(leaf -> RedisKeys.bytes(leaf.hex())).toArray(byte[][]::new);
        List<Object> members = awaiter.await(store.withDirect(c -> store.scripts().<List<Object>>run(c, BUCKET_IDS,
                ScriptOutputType.MULTI, new byte[][]{key}, args)),
                "listing " + leaves.size() + " merkle buckets of '" + namespace + "'");
        List<String> ids = new ArrayList<>(members.size());
        for (Object member : members) {
            byte[] bytes = (byte[]) member;
            if (bytes.length > 4) {
                String id = ItemCodec.idOrNull(java.util.Arrays.copyOfRange(bytes, 4, bytes.length));
                if (id != null && MerkleNamespaces.of(id).equals(namespace)) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    @Override
    public Map<String, SyncItem> bucketItems(String namespace, Collection<MerklePath> leaves)
            throws TierAccessException {
        if (leaves.isEmpty()) {
            return Map.of();
        }
        List<String> ids = bucketIds(namespace, leaves);
        return ids.isEmpty() ? Map.of() : awaiter.await(store.getMany(ids), "reading " + ids.size() + " items of "
                + leaves.size() + " merkle buckets");
    }

    @Override
    public void repairBuckets(String namespace, Map<MerklePath, Digest256> leaves, Collection<String> evict,
                              List<TierWrite> writes) throws TierAccessException {
        if (!evict.isEmpty()) {
            awaiter.await(store.invalidate(evict), "dropping " + evict.size() + " items of '" + namespace + "'");
        }
        if (!writes.isEmpty()) {
            awaiter.await(store.apply(writes, time.currentTimeMillis()), "repairing " + writes.size() + " items");
        }
        List<byte[]> args = new ArrayList<>(3 * leaves.size());
        leaves.forEach((leaf, digest) -> {
            args.add(field(leaf));
            args.add(digest.isZero() ? new byte[0] : RedisKeys.bytes(digest.toHex()));
            args.add(new byte[0]);
        });
        if (!args.isEmpty()) {
            setNodes(namespace, args);
            settle(namespace, leaves.keySet(), true);
        }
    }

    @Override
    public Map<String, SyncItem> scanItems(String namespace) throws TierAccessException {
        String itemBase = keys.base(redisNamespace(namespace)) + "i:";
        ScanArgs match = ScanArgs.Builder.matches(glob(itemBase) + "*").limit(1000);
        List<String> ids = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            ScanCursor at = cursor;
            KeyScanCursor<byte[]> page = awaiter.await(store.withDirect(c -> c.scan(at, match).toCompletableFuture()),
                    "scanning the keys of '" + namespace + "'");
            for (byte[] key : page.getKeys()) {
                String name = ItemCodec.text(key);
                if (name != null && name.startsWith(itemBase)) {
                    String id = ItemCodec.idOrNull(RedisKeys.bytes(name.substring(itemBase.length())));
                    if (id != null) {
                        ids.add(id);
                    }
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        Map<String, SyncItem> out = new LinkedHashMap<>();
        for (int from = 0; from < ids.size(); from += 1000) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
            out.putAll(awaiter.await(store.getMany(chunk), "reading " + chunk.size() + " items"));
        }
        return out;
    }

    private static String glob(String literal) {
        StringBuilder out = new StringBuilder();
        for (char c : literal.toCharArray()) {
            if ("*?[]\\".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
