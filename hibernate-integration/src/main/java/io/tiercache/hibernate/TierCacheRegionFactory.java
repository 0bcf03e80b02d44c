package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.hibernate.codec.EntryCodec;
import io.tiercache.hibernate.codec.QueryCacheItems;
import io.tiercache.hibernate.codec.SchemaFingerprints;
import io.tiercache.hibernate.codec.ValueCodec;
import io.tiercache.hibernate.internal.EngineStorage;
import io.tiercache.hibernate.internal.HybridTimestamper;
import io.tiercache.hibernate.internal.ResolvedSettings;
import io.tiercache.hibernate.internal.TierCacheKeys;
import io.tiercache.hibernate.internal.TierDomainDataRegion;
import io.tiercache.hibernate.internal.TierQueryResultsRegion;
import io.tiercache.hibernate.internal.TierTimestampsRegion;
import io.tiercache.hibernate.internal.TimestampsStorage;
import org.hibernate.boot.registry.classloading.spi.ClassLoaderService;
import org.hibernate.boot.spi.SessionFactoryOptions;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.QueryResultsRegion;
import org.hibernate.cache.spi.TimestampsRegion;
import org.hibernate.cache.spi.support.RegionFactoryTemplate;
import org.hibernate.cache.spi.support.StorageAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.transaction.jta.platform.internal.NoJtaPlatform;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Hibernate's second-level cache on the tiercache engine. Select it by its short name:
 *
 * <pre>{@code
 * hibernate.cache.region.factory_class=tiercache
 * hibernate.cache.use_second_level_cache=true
 * hibernate.cache.tiercache.l1.max-bytes=64MiB          # optional; see TierCacheSettings
 * }</pre>
 *
 * <p>Each region is a prefix of engine ids, {@code <region>/<entity>#<id>}; entries are written in a compact binary
 * format ({@link EntryCodec}) with the schema fingerprint of their entity or collection. Regions live in L1, plus
 * L2 when {@link TierCacheSettings#REDIS_URL} is set; the application's database already is the ground truth, so L3
 * is opt-in ({@link TierCacheSettings#SQL_URL}). Configuration problems are reported at startup with numbered
 * {@link Warnings} ids (see {@link #configurationWarnings()}); {@link TierCacheSettings#STRICT} turns them into a
 * startup failure.
 */
public class TierCacheRegionFactory extends RegionFactoryTemplate {
    private static final Logger LOG = LoggerFactory.getLogger(TierCacheRegionFactory.class);

    private volatile HybridTimestamper timestamper = new HybridTimestamper(System::currentTimeMillis);
    private volatile ResolvedSettings settings;
    private volatile SyncEngine engine;
    private volatile boolean ownsEngine;
    private volatile EntryCodecs codecs;

    @Override
    protected void prepareForUse(SessionFactoryOptions options, Map<String, Object> configValues) {
        ClassLoader loader = options.getServiceRegistry().getService(ClassLoaderService.class)
                .workWithClassLoader(cl -> cl);
        ResolvedSettings resolved = ResolvedSettings.resolve(configValues, loader);
        resolved.warnings().forEach(warning -> LOG.warn("{}", warning));
        if (resolved.strict() && !resolved.strictProblems().isEmpty()) {
            throw new TierCacheConfigurationException(Warnings.STRICT_FAILURE + " "
                    + TierCacheSettings.STRICT + "=true and the cache configuration has "
                    + resolved.strictProblems().size() + " problem(s): " + resolved.strictProblems());
        }
        if (!QueryCacheItems.available()) {
            LOG.warn("{} the query results cache item of this Hibernate version cannot be opened ({}); query results "
                    + "are not cached", Warnings.QUERY_ITEMS_UNAVAILABLE, QueryCacheItems.problem());
        }
        SyncEngine injected = resolved.injectedEngine();
        this.engine = injected != null ? injected : SyncEngine.start(resolved.engineConfig());
        this.ownsEngine = injected == null;
        // Timestamps are compared across nodes (a query result cached on one, an invalidation from another): they
        // come from the engine's clock moved onto Redis's when Redis is shared, so a node whose clock lags does not
        // stamp an invalidation before a result it should invalidate.
        SyncEngine started = engine;
        this.timestamper = new HybridTimestamper(started::sharedTimeMillis);
        this.codecs = new EntryCodecs(new ValueCodec(resolved.allowlist(), loader));
        this.settings = resolved;
        LOG.info("tiercache second-level cache started ({}, lock timeout {})", tiers(engine), resolved.lockTimeout());
    }

    private static String tiers(SyncEngine engine) {
        String tiers = "L1";
        if (engine.config().redisUrl() != null) {
            tiers += " + L2 Redis (prefix '" + engine.config().redisPrefix() + "')";
        }
        return engine.config().sqlEnabled() ? tiers + " + L3 " + engine.config().sqlUrl() : tiers;
    }

    @Override
    protected void releaseFromUse() {
        try {
            if (ownsEngine && engine != null) {
                engine.shutdown();
            }
        } finally {
            engine = null;
            settings = null;
        }
    }

    @Override
    protected boolean isStarted() {
        return super.isStarted() && engine != null;
    }

    @Override
    protected CacheKeysFactory getImplicitCacheKeysFactory() {
        return TierCacheKeys.INSTANCE;
    }

    @Override
    public DomainDataRegion buildDomainDataRegion(DomainDataRegionConfig config,
                                                  DomainDataRegionBuildingContext context) {
        verifyStarted();
        SessionFactoryImplementor factory = context.getSessionFactory();
        return new TierDomainDataRegion(config, this, storage(config.getRegionName(), factory),
                getImplicitCacheKeysFactory(), context, hasJta(factory), settings.lockTimeout());
    }

    @Override
    public QueryResultsRegion buildQueryResultsRegion(String regionName, SessionFactoryImplementor factory) {
        verifyStarted();
        return new TierQueryResultsRegion(regionName, this, storage(regionName, factory));
    }

    @Override
    public TimestampsRegion buildTimestampsRegion(String regionName, SessionFactoryImplementor factory) {
        verifyStarted();
        return new TierTimestampsRegion(regionName, this, timestampsStorage(regionName, factory));
    }

    @Override
    protected StorageAccess createQueryResultsRegionStorageAccess(String regionName,
                                                                  SessionFactoryImplementor factory) {
        return storage(regionName, factory);
    }

    @Override
    protected StorageAccess createTimestampsRegionStorageAccess(String regionName,
                                                                SessionFactoryImplementor factory) {
        return timestampsStorage(regionName, factory);
    }

    private TimestampsStorage timestampsStorage(String regionName, SessionFactoryImplementor factory) {
        SyncEngine started = engine;
        return new TimestampsStorage(storage(regionName, factory), started, settings.writeOptions(qualify(regionName)),
                () -> HybridTimestamper.units(started.sharedTimeMillis()), getTimeout() / 2);
    }

    private EngineStorage storage(String regionName, SessionFactoryImplementor factory) {
        String qualified = qualify(regionName);
        return new EngineStorage(engine, qualified, codecs.forFactory(factory), settings.writeOptions(qualified));
    }

    private static boolean hasJta(SessionFactoryImplementor factory) {
        JtaPlatform platform = factory.getServiceRegistry().getService(JtaPlatform.class);
        return platform != null && !(platform instanceof NoJtaPlatform);
    }

    @Override
    public long nextTimestamp() {
        return timestamper.next();
    }

    @Override
    public long getTimeout() {
        ResolvedSettings current = settings;
        return HybridTimestamper.units(current == null ? 60_000 : current.lockTimeout().toMillis());
    }

    /**
     * Advances this factory's clock past a timestamp another node wrote, so the soft-lock and query-cache rules
     * ("stamped before my transaction started") hold across nodes with skewed clocks. Jumps beyond the lock timeout
     * ahead of the wall clock are capped, so one bad clock cannot drag every node into the future.
     */
    public void observeTimestamp(long timestamp) {
        ResolvedSettings current = settings;
        timestamper.observe(timestamp, current == null ? 60_000 : current.lockTimeout().toMillis());
    }

    /** The engine the regions live in (for operations and tests); null while the factory is stopped. */
    public SyncEngine engine() {
        return engine;
    }

    /** The configuration warnings found at startup, each with its numbered id. */
    public List<ConfigWarning> configurationWarnings() {
        ResolvedSettings current = settings;
        return current == null ? List.of() : current.warnings();
    }

    /** One codec per SessionFactory, since fingerprints and entry rebuilding read that factory's mapping. */
    private static final class EntryCodecs {
        private final ValueCodec values;
        private volatile SchemaFingerprints fingerprints;

        EntryCodecs(ValueCodec values) {
            this.values = values;
        }

        synchronized EntryCodec forFactory(SessionFactoryImplementor factory) {
            if (fingerprints == null || fingerprints.factory() != factory) {
                fingerprints = new SchemaFingerprints(factory);
            }
            return new EntryCodec(values, fingerprints);
        }
    }
}
