package io.tiercache.hibernate;

/**
 * One configuration problem found at startup: its numbered id, the setting concerned and what to do.
 *
 * <pre>{@code
 * TierCacheRegionFactory factory = (TierCacheRegionFactory) sessionFactory
 *         .unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory();
 * factory.configurationWarnings().forEach(w -> alerts.raise(w.id(), w.message()));
 * }</pre>
 */
public record ConfigWarning(String id, String key, String message) {
    @Override
    public String toString() {
        return id + " " + message;
    }
}
