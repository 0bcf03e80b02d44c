package io.tiercache.hibernate.internal;

import io.tiercache.hibernate.codec.RwLock;
import org.hibernate.cache.spi.access.SoftLock;

import java.util.UUID;

/** The handle Hibernate keeps for a soft lock until its transaction completes: which lock it may release. */
record TierSoftLock(UUID owner, long lockId) implements SoftLock {
    boolean releases(RwLock lock) {
        return lock.owner().equals(owner) && lock.lockId() == lockId;
    }
}
