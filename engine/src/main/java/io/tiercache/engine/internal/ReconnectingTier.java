package io.tiercache.engine.internal;

import io.tiercache.engine.SyncItem;
import io.tiercache.engine.Tier;
import io.tiercache.engine.tier.CoordinatingTier;
import io.tiercache.engine.tier.ItemTier;
import io.tiercache.engine.tier.TierAccessException;
import io.tiercache.engine.tier.TierWrite;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tier whose backend may be unreachable when the engine starts: it is opened on first use and, while opening fails,
 * every call fails with the {@link TierAccessException} that opening raised. So an engine starts with Redis down and
 * picks it up when it answers, through the same breaker and repair path as any other outage.
 */
public final class ReconnectingTier implements ItemTier, CoordinatingTier {

    /** Opens the real tier; throws while the backend does not answer. */
    @FunctionalInterface
    public interface Opener {
        ItemTier open() throws TierAccessException;
    }

    private final Tier level;
    private final String description;
    private final Opener opener;
    private volatile ItemTier delegate;
    private volatile boolean closed;

    public ReconnectingTier(Tier level, String description, Opener opener) {
        this.level = level;
        this.description = description;
        this.opener = opener;
    }

    /** Tries to open now; an unreachable backend is not an error here, only later calls fail. */
    public ReconnectingTier tryOpen() {
        try {
            tier();
        } catch (TierAccessException e) {
            // Reported by the first call that needs the tier.
        }
        return this;
    }

    public boolean isOpen() {
        return delegate != null;
    }

    private ItemTier tier() throws TierAccessException {
        ItemTier current = delegate;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (closed) {
                throw new TierAccessException(level, description + " is closed", null);
            }
            if (delegate == null) {
                delegate = opener.open();
            }
            return delegate;
        }
    }

    /** @throws UnsupportedOperationException if the tier behind cannot coordinate (checked by the engine first) */
    @Override
    public Snapshot readForUpdate(String id) throws TierAccessException {
        return coordinating().readForUpdate(id);
    }

    @Override
    public boolean compareAndApply(Token expected, TierWrite write) throws TierAccessException {
        return coordinating().compareAndApply(expected, write);
    }

    private CoordinatingTier coordinating() throws TierAccessException {
        if (tier() instanceof CoordinatingTier coordinating) {
            return coordinating;
        }
        throw new UnsupportedOperationException(describe() + " cannot coordinate conditional writes");
    }

    @Override
    public Tier level() {
        return level;
    }

    @Override
    public String describe() {
        ItemTier current = delegate;
        return current != null ? current.describe() : description + " (not connected)";
    }

    @Override
    public Optional<SyncItem> get(String id) throws TierAccessException {
        return tier().get(id);
    }

    @Override
    public Map<String, SyncItem> getMany(Collection<String> ids) throws TierAccessException {
        return tier().getMany(ids);
    }

    @Override
    public void apply(List<? extends TierWrite> writes) throws TierAccessException {
        tier().apply(writes);
    }

    @Override
    public void applyCacheOnly(List<? extends TierWrite> writes) throws TierAccessException {
        tier().applyCacheOnly(writes);
    }

    /** The connected tier (opening it if needed); throws while the backend does not answer. */
    public ItemTier connected() throws TierAccessException {
        return tier();
    }

    @Override
    public List<SyncItem> scanPrefix(String prefix, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        return tier().scanPrefix(prefix, afterId, limit, nowMillis);
    }

    @Override
    public long countPrefix(String prefix, long nowMillis) throws TierAccessException {
        return tier().countPrefix(prefix, nowMillis);
    }

    @Override
    public List<String> idsByPrefix(String prefix, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        return tier().idsByPrefix(prefix, afterId, limit, nowMillis);
    }

    @Override
    public List<SyncItem> scanState(String state, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        return tier().scanState(state, afterId, limit, nowMillis);
    }

    @Override
    public long countByState(String state, long nowMillis) throws TierAccessException {
        return tier().countByState(state, nowMillis);
    }

    @Override
    public List<String> idsByState(String state, String afterId, int limit, long nowMillis)
            throws TierAccessException {
        return tier().idsByState(state, afterId, limit, nowMillis);
    }

    @Override
    public long purgeExpired(long nowMillis) throws TierAccessException {
        return tier().purgeExpired(nowMillis);
    }

    @Override
    public long size() throws TierAccessException {
        return tier().size();
    }

    @Override
    public long evictIfNeeded() throws TierAccessException {
        return tier().evictIfNeeded();
    }

    @Override
    public void ping() throws TierAccessException {
        tier().ping();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (delegate != null) {
            delegate.close();
        }
    }
}
