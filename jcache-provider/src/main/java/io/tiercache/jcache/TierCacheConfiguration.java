package io.tiercache.jcache;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.Tier;
import io.tiercache.jcache.codec.ValueCodec;

import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.Factory;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A JCache {@link CompleteConfiguration} (it is a {@link javax.cache.configuration.MutableConfiguration}) plus what
 * only tiercache knows: which shared tiers a cache's writes go to, how durable a write must be before it returns, an
 * engine-level storage TTL, and the value codec. Plain {@code MutableConfiguration} works everywhere this does, with
 * the CacheManager's defaults.
 *
 * <pre>{@code
 * TierCacheConfiguration<String, Order> config = new TierCacheConfiguration<String, Order>()
 *         .setTypes(String.class, Order.class)
 *         .setRouting(Tier.L3)                       // ground truth only, no Redis copy
 *         .setDurability(Durability.LOCAL_WAL)       // put() returns once the write is in the local WAL
 *         .setStorageTtl(Duration.ofDays(7))         // the tiers drop entries untouched for a week
 *         .setValueCodec(new JsonCodec<>(Order.class));
 * Cache<String, Order> orders = cacheManager.createCache("orders", config);
 * }</pre>
 */
public class TierCacheConfiguration<K, V> extends javax.cache.configuration.MutableConfiguration<K, V> {
    private static final long serialVersionUID = 1L;

    private Set<Tier> routing;
    private Durability durability;
    private Duration storageTtl;
    private transient ValueCodec valueCodec;

    public TierCacheConfiguration() {
    }

    /** A copy of {@code configuration}; tier options are copied when it is a {@code TierCacheConfiguration}. */
    public TierCacheConfiguration(CompleteConfiguration<K, V> configuration) {
        super(configuration);
        if (configuration instanceof TierCacheConfiguration<K, V> tier) {
            this.routing = tier.routing == null ? null : EnumSet.copyOf(tier.routing);
            this.durability = tier.durability;
            this.storageTtl = tier.storageTtl;
            this.valueCodec = tier.valueCodec;
        }
    }

    /** The complete form of any configuration: basic ones keep their types and store-by-value flag only. */
    public static <K, V> TierCacheConfiguration<K, V> of(Configuration<K, V> configuration) {
        if (configuration instanceof CompleteConfiguration<K, V> complete) {
            return new TierCacheConfiguration<>(complete);
        }
        TierCacheConfiguration<K, V> copy = new TierCacheConfiguration<>();
        copy.setTypes(configuration.getKeyType(), configuration.getValueType());
        copy.setStoreByValue(configuration.isStoreByValue());
        return copy;
    }

    /** The shared tiers (L2, L3) writes go to; L1 always holds them. Empty routing keeps entries in L1 only. */
    public TierCacheConfiguration<K, V> setRouting(Tier... tiers) {
        EnumSet<Tier> shared = EnumSet.noneOf(Tier.class);
        for (Tier tier : tiers) {
            if (Objects.requireNonNull(tier, "tier") != Tier.L1) {
                shared.add(tier);
            }
        }
        this.routing = shared;
        return this;
    }

    public Optional<Set<Tier>> getRouting() {
        return Optional.ofNullable(routing).map(EnumSet::copyOf);
    }

    /** How durable a write is when the cache call returns; defaults to the manager's {@code tiercache.durability}. */
    public TierCacheConfiguration<K, V> setDurability(Durability durability) {
        this.durability = Objects.requireNonNull(durability, "durability");
        return this;
    }

    public Optional<Durability> getDurability() {
        return Optional.ofNullable(durability);
    }

    /**
     * A time to live the engine applies to every stored entry, counted from its last write, independent of the
     * JCache expiry policy: shared tiers reclaim entries nobody reads again. Unset means entries live until
     * removed (or until their JCache expiry is observed).
     */
    public TierCacheConfiguration<K, V> setStorageTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("storageTtl must be positive, got " + ttl);
        }
        this.storageTtl = ttl;
        return this;
    }

    public Optional<Duration> getStorageTtl() {
        return Optional.ofNullable(storageTtl);
    }

    /** The codec store-by-value entries are copied through; defaults to {@code DefaultCodec}. */
    public TierCacheConfiguration<K, V> setValueCodec(ValueCodec codec) {
        this.valueCodec = Objects.requireNonNull(codec, "codec");
        return this;
    }

    public Optional<ValueCodec> getValueCodec() {
        return Optional.ofNullable(valueCodec);
    }

    /** The engine options this configuration's writes use. */
    SubmitOptions submitOptions() {
        SubmitOptions options = SubmitOptions.defaults();
        if (routing != null) {
            options = options.routedTo(routing.toArray(new Tier[0]));
        }
        return durability == null ? options : options.withDurability(durability);
    }

    @Override
    public TierCacheConfiguration<K, V> setTypes(Class<K> keyType, Class<V> valueType) {
        super.setTypes(keyType, valueType);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> setStoreByValue(boolean isStoreByValue) {
        super.setStoreByValue(isStoreByValue);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> setExpiryPolicyFactory(Factory<? extends ExpiryPolicy> factory) {
        super.setExpiryPolicyFactory(factory);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> setReadThrough(boolean isReadThrough) {
        super.setReadThrough(isReadThrough);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> setWriteThrough(boolean isWriteThrough) {
        super.setWriteThrough(isWriteThrough);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> setCacheLoaderFactory(Factory<? extends CacheLoader<K, V>> factory) {
        super.setCacheLoaderFactory(factory);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> setCacheWriterFactory(
            Factory<? extends CacheWriter<? super K, ? super V>> factory) {
        super.setCacheWriterFactory(factory);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> setStatisticsEnabled(boolean enabled) {
        super.setStatisticsEnabled(enabled);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> setManagementEnabled(boolean enabled) {
        super.setManagementEnabled(enabled);
        return this;
    }

    @Override
    public TierCacheConfiguration<K, V> addCacheEntryListenerConfiguration(
            CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        super.addCacheEntryListenerConfiguration(listenerConfiguration);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        if (!(o instanceof TierCacheConfiguration<?, ?> other)) {
            return routing == null && durability == null && storageTtl == null && valueCodec == null;
        }
        return Objects.equals(routing, other.routing) && durability == other.durability
                && Objects.equals(storageTtl, other.storageTtl) && Objects.equals(valueCodec, other.valueCodec);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Objects.hash(routing, durability, storageTtl);
    }
}
