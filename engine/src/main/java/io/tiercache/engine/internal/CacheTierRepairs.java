package io.tiercache.engine.internal;

import io.tiercache.engine.tier.TierWrite;
import io.tiercache.engine.wal.RepairJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Invalidations a cache tier (L2) still owes: every write that could not reach it leaves its id and version here
 * (and in the durable journal, when there is one). While any are owed the tier is not read from; once it answers
 * again they are replayed as version-guarded deletes, after which reads refill it from the ground truth.
 */
public final class CacheTierRepairs {
    private static final Logger LOG = LoggerFactory.getLogger(CacheTierRepairs.class);
    private final ConcurrentHashMap<String, Long> owed = new ConcurrentHashMap<>();
    private final RepairJournal journal;

    public CacheTierRepairs(RepairJournal journal) {
        this.journal = journal;
        if (journal != null) {
            owed.putAll(journal.load());
        }
    }

    public boolean isEmpty() {
        return owed.isEmpty();
    }

    public int size() {
        return owed.size();
    }

    /** Records the writes that did not reach the tier. */
    public void owe(List<? extends TierWrite> writes) {
        Map<String, Long> versions = newestVersions(writes);
        if (journal != null) {
            journal.record(versions);
        }
        versions.forEach((id, version) -> owed.merge(id, version, Math::max));
    }

    /**
     * Notes, durably, writes about to reach the ground truth ahead of the tier: a crash before the tier has them
     * would leave it an older copy, so until {@link #delivered} they are owed at the next start (not in this one).
     */
    public void intend(List<? extends TierWrite> writes) {
        if (journal != null) {
            try {
                journal.record(newestVersions(writes));
            } catch (IllegalStateException e) {
                // The batch must still reach L3: only a crash before L2 has it would now leave a stale copy there.
                LOG.warn("could not note {} writes in the repair journal before storing them: {}", writes.size(),
                        e.getMessage());
            }
        }
    }

    /** The tier took these writes: forgets their intents, except ids still owed for an earlier failure. */
    public void delivered(List<? extends TierWrite> writes) {
        if (journal != null) {
            Map<String, Long> versions = newestVersions(writes);
            versions.keySet().removeAll(owed.keySet());
            journal.forget(versions);
        }
    }

    private static Map<String, Long> newestVersions(List<? extends TierWrite> writes) {
        Map<String, Long> versions = new HashMap<>();
        for (TierWrite write : writes) {
            versions.merge(write.id(), write.version(), Math::max);
        }
        return versions;
    }

    /** Up to {@code limit} owed invalidations. */
    public List<TierWrite.Delete> next(int limit) {
        List<TierWrite.Delete> deletes = new ArrayList<>(Math.min(limit, owed.size()));
        for (Map.Entry<String, Long> entry : owed.entrySet()) {
            if (deletes.size() == limit) {
                break;
            }
            deletes.add(new TierWrite.Delete(entry.getKey(), entry.getValue()));
        }
        return deletes;
    }

    /** The tier applied these invalidations; ids that failed again since keep their newer entry. */
    public void paid(List<TierWrite.Delete> deletes) {
        Map<String, Long> versions = new HashMap<>();
        for (TierWrite.Delete delete : deletes) {
            versions.put(delete.id(), delete.version());
        }
        if (journal != null) {
            journal.forget(versions);
        }
        versions.forEach(owed::remove);
    }
}
