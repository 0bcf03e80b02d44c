package io.tiercache.hibernate;

import org.hibernate.boot.registry.selector.SimpleStrategyRegistrationImpl;
import org.hibernate.boot.registry.selector.StrategyRegistrationProvider;
import org.hibernate.cache.spi.RegionFactory;

import java.util.List;

/**
 * Registers {@link TierCacheRegionFactory} with Hibernate's strategy selector under the short name
 * {@code tiercache}, its class name and its simple name, so {@code hibernate.cache.region.factory_class=tiercache}
 * works. Found through {@code META-INF/services/org.hibernate.boot.registry.selector.StrategyRegistrationProvider}.
 */
public final class StrategyRegistrationProviderImpl implements StrategyRegistrationProvider {
    // Raw on purpose: Hibernate 6 declares Iterable<StrategyRegistration>, Hibernate 7 Iterable<StrategyRegistration<?>>,
    // and only the erasure overrides both.
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Iterable getStrategyRegistrations() {
        return List.of(new SimpleStrategyRegistrationImpl(RegionFactory.class, TierCacheRegionFactory.class,
                TierCacheSettings.SHORT_NAME, TierCacheRegionFactory.class.getName(),
                TierCacheRegionFactory.class.getSimpleName()));
    }
}
