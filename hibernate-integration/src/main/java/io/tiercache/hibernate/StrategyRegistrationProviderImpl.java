package io.tiercache.hibernate;

import org.hibernate.boot.registry.selector.SimpleStrategyRegistrationImpl;
import org.hibernate.boot.registry.selector.StrategyRegistration;
import org.hibernate.boot.registry.selector.StrategyRegistrationProvider;
import org.hibernate.cache.spi.RegionFactory;

import java.util.List;

/**
 * Registers {@link TierCacheRegionFactory} with Hibernate's strategy selector under the short name
 * {@code tiercache}, its class name and its simple name, so {@code hibernate.cache.region.factory_class=tiercache}
 * works. Found through {@code META-INF/services/org.hibernate.boot.registry.selector.StrategyRegistrationProvider}.
 */
public final class StrategyRegistrationProviderImpl implements StrategyRegistrationProvider {
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Iterable<StrategyRegistration> getStrategyRegistrations() {
        return List.of(new SimpleStrategyRegistrationImpl(RegionFactory.class, TierCacheRegionFactory.class,
                TierCacheSettings.SHORT_NAME, TierCacheRegionFactory.class.getName(),
                TierCacheRegionFactory.class.getSimpleName()));
    }
}
