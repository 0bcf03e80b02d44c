package io.tiercache.hibernate.codec;

import java.util.UUID;

/**
 * A READ_WRITE soft lock: the entry is being changed by {@code multiplicity} transactions (more than one means
 * {@code concurrent}), so nobody reads it and loads may not replace it until it is unlocked or {@code timeout}
 * passes. Once the count reaches zero it stays as a marker stamped {@code unlockTimestamp}, which keeps out loads by
 * transactions that started before the change committed.
 */
public record RwLock(UUID owner, long lockId, Object version, long timeout, boolean concurrent, int multiplicity,
                     long unlockTimestamp) {

    public boolean isLocked() {
        return multiplicity > 0;
    }

    /** Whether a transaction started at {@code txTimestamp} may replace this lock with a value of {@code newVersion}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public boolean isWriteable(long txTimestamp, Object newVersion, java.util.Comparator versionComparator) {
        if (txTimestamp > timeout) {
            return true;
        }
        if (multiplicity > 0) {
            return false;
        }
        return version == null || versionComparator == null ? txTimestamp > unlockTimestamp
                : versionComparator.compare(version, newVersion) < 0;
    }

    public RwLock lockedAgain(long newTimeout) {
        return new RwLock(owner, lockId, version, newTimeout, true, multiplicity + 1, unlockTimestamp);
    }

    /**
     * Releases one holder. The last one also drops the version: from then on only transactions that started after
     * the unlock may load into the entry. Keeping the version (as Hibernate's JVM-local lock does) would refuse a
     * load of that same version until the lock timeout, so a rolled-back update would keep the entity out of the
     * cache for the whole timeout.
     */
    public RwLock unlocked(long timestamp) {
        int remaining = multiplicity - 1;
        return remaining > 0 ? new RwLock(owner, lockId, version, timeout, concurrent, remaining, unlockTimestamp)
                : new RwLock(owner, lockId, null, timeout, concurrent, 0, timestamp);
    }
}
