package io.tiercache.engine.wal;

import io.tiercache.engine.Tier;
import io.tiercache.engine.tier.TierWrite;

import java.util.Set;

/** One journaled write: its sequence number (replay order), the write, and the shared tiers it was routed to. */
public record WalEntry(long seq, TierWrite write, Set<Tier> sharedTiers) {
}
