package io.tiercache.jcache.management;

import javax.cache.configuration.CompleteConfiguration;
import javax.cache.management.CacheMXBean;
import java.util.function.Supplier;

/**
 * A cache's configuration as the JCache management bean shows it; reads the live configuration on every call.
 *
 * <pre>{@code
 * CacheMXBean bean = new TierCacheMXBean(() -> cache.getConfiguration(CompleteConfiguration.class));
 * }</pre>
 */
public final class TierCacheMXBean implements CacheMXBean {
    private final Supplier<CompleteConfiguration<?, ?>> configuration;

    public TierCacheMXBean(Supplier<CompleteConfiguration<?, ?>> configuration) {
        this.configuration = configuration;
    }

    @Override
    public String getKeyType() {
        return configuration.get().getKeyType().getName();
    }

    @Override
    public String getValueType() {
        return configuration.get().getValueType().getName();
    }

    @Override
    public boolean isReadThrough() {
        return configuration.get().isReadThrough();
    }

    @Override
    public boolean isWriteThrough() {
        return configuration.get().isWriteThrough();
    }

    @Override
    public boolean isStoreByValue() {
        return configuration.get().isStoreByValue();
    }

    @Override
    public boolean isStatisticsEnabled() {
        return configuration.get().isStatisticsEnabled();
    }

    @Override
    public boolean isManagementEnabled() {
        return configuration.get().isManagementEnabled();
    }
}
