package io.tiercache.engine;

import java.util.Map;

/**
 * A point-in-time health answer: each configured backend pinged (in parallel), plus the engine's own state.
 *
 * @param healthy      ready, every configured backend answered, memory pressure below CRITICAL, no write waiting
 *                     in the WAL for L3 to come back and no invalidation owed to L2
 * @param backends     per tier: "ok (N ms)" or the failure; only configured tiers appear
 * @param breakers     per backend circuit breaker state (CLOSED, OPEN, HALF_OPEN)
 * @param walDepth     writes waiting in the local WAL
 * @param pendingWrites writes accepted but not yet stored in L3 or the WAL
 */
public record HealthReport(boolean healthy, EngineState state, Map<Tier, String> backends,
                           Map<Tier, String> breakers, double memoryPressure, PressureLevel pressureLevel,
                           long walDepth, int pendingWrites) {
}
