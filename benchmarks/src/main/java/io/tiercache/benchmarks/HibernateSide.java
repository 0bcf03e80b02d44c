package io.tiercache.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tiercache.engine.EngineStats;
import io.tiercache.engine.SyncEngine;
import io.tiercache.hibernate.TierCacheRegionFactory;
import io.tiercache.hibernate.TierCacheSettings;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.StatelessSession;
import org.hibernate.Transaction;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One side of {@link HibernateCacheBenchmark}: a SessionFactory over a throwaway MariaDB database holding
 * {@code rows} customers, every one of them loaded once (so a cache that should hold them does), and the removal of
 * everything the side made: the database, the Redis keys under its own prefix, its data folder.
 * Every side uses the same entity, pool (HikariCP, 4 connections), driver and database; only the cache differs.
 */
final class HibernateSide implements AutoCloseable {
    /** The database without a second-level cache. */
    static final String DATABASE = "database";
    /** tiercache on its embedded default (L1 only, L3 opt-in): a load is an L1 hit. */
    static final String TIERCACHE_L1 = "tiercache-l1";
    /** tiercache with Redis as L2 and L1 as its near cache, as a multi-node application runs it: L1 stays warm. */
    static final String TIERCACHE_REDIS = "tiercache-redis";
    /** tiercache with Redis as L2 and an L1 too small for the rows, so most loads are served by Redis. */
    static final String TIERCACHE_REDIS_L2 = "tiercache-redis-l2";
    /** Redisson's Hibernate region factory (open-source edition: no near cache) on the same Redis. */
    static final String REDISSON = "redisson";
    static final List<String> SIDES = List.of(DATABASE, TIERCACHE_L1, TIERCACHE_REDIS, TIERCACHE_REDIS_L2, REDISSON);

    /** L1 budget of {@link #TIERCACHE_REDIS_L2}: a small share of the benchmark's 10,000 customers. */
    private static final String SMALL_L1 = "1MiB";

    static {
        // Hibernate logs through JBoss Logging; sent to SLF4J (simple), its start-up INFO lines stay out of the results
        System.setProperty("org.jboss.logging.provider", "slf4j");
        System.setProperty("org.slf4j.simpleLogger.log.org.hibernate", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.redisson", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.tiercache", "warn");
    }

    private final String side;
    private final String unique = "tchibbench" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private HikariDataSource dataSource;
    private SessionFactory sessionFactory;
    private Path scratch;

    private HibernateSide(String side) {
        if (!SIDES.contains(side)) {
            throw new IllegalArgumentException("side must be one of " + SIDES + ", got " + side);
        }
        this.side = side;
    }

    /** Creates the database, inserts {@code rows} customers (ids 1..rows) and loads each once through Hibernate. */
    static HibernateSide start(String side, int rows) throws Exception {
        HibernateSide started = new HibernateSide(side);
        try {
            started.open();
            started.insert(rows);
            started.loadAll(rows);
            return started;
        } catch (Exception | Error e) {
            started.close();
            throw e;
        }
    }

    /** What an application does to read one entity: a Session of its own, one {@code find}. */
    Customer find(long id) {
        try (Session session = sessionFactory.openSession()) {
            return session.find(Customer.class, id);
        }
    }

    String side() {
        return side;
    }

    /** Deletes a row with plain JDBC, behind Hibernate's back: only a cache can still return it afterwards. */
    void deleteRowBehindHibernate(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM Customer WHERE id = ?")) {
            delete.setLong(1, id);
            delete.executeUpdate();
        }
    }

    /** The tiercache engine's read counts, or null on a side without tiercache. */
    EngineStats tiercacheStats() {
        SyncEngine engine = tiercacheEngine();
        return engine == null ? null : engine.stats();
    }

    private SyncEngine tiercacheEngine() {
        if (sessionFactory == null || !side.startsWith("tiercache")) {
            return null;
        }
        return ((TierCacheRegionFactory) sessionFactory.unwrap(SessionFactoryImplementor.class).getCache()
                .getRegionFactory()).engine();
    }

    private void open() throws Exception {
        BenchServers.recreateDatabase(unique);
        scratch = Files.createTempDirectory("tiercache-hibernate-bench");
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl("jdbc:mariadb://127.0.0.1:3306/" + unique);
        pool.setUsername("root");
        pool.setPassword("");
        pool.setMaximumPoolSize(4);
        pool.setPoolName(unique);
        dataSource = new HikariDataSource(pool);

        Map<String, Object> settings = new HashMap<>();
        settings.put(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource);
        settings.put(AvailableSettings.HBM2DDL_AUTO, "create");
        settings.put(AvailableSettings.STATEMENT_BATCH_SIZE, "100");
        settings.put(AvailableSettings.GENERATE_STATISTICS, "false");
        settings.put(AvailableSettings.USE_QUERY_CACHE, "false");
        settings.put(AvailableSettings.USE_SECOND_LEVEL_CACHE, String.valueOf(!side.equals(DATABASE)));
        settings.putAll(cacheSettings());
        StandardServiceRegistry registry = new StandardServiceRegistryBuilder().applySettings(settings).build();
        try {
            sessionFactory = new MetadataSources(registry).addAnnotatedClass(Customer.class).buildMetadata()
                    .buildSessionFactory();
        } catch (RuntimeException e) {
            StandardServiceRegistryBuilder.destroy(registry);
            throw e;
        }
    }

    private Map<String, Object> cacheSettings() throws Exception {
        Map<String, Object> settings = new HashMap<>();
        switch (side) {
            case DATABASE -> {
            }
            case REDISSON -> {
                Path config = scratch.resolve("redisson.yaml");
                Files.writeString(config, "singleServerConfig:\n  address: \"" + BenchServers.REDIS_URL + "\"\n");
                settings.put(AvailableSettings.CACHE_REGION_FACTORY, "org.redisson.hibernate.RedissonRegionFactory");
                settings.put("hibernate.cache.redisson.config", config.toString());
                // Redisson names its Redis keys after the regions: a prefix of our own keeps them apart
                settings.put(AvailableSettings.CACHE_REGION_PREFIX, unique);
            }
            default -> {
                settings.put(AvailableSettings.CACHE_REGION_FACTORY, TierCacheSettings.SHORT_NAME);
                settings.put(TierCacheSettings.STRICT, "true");
                settings.put(TierCacheSettings.DATA_DIR, scratch.resolve("tiercache").toString());
                if (!side.equals(TIERCACHE_L1)) {
                    settings.put(TierCacheSettings.REDIS_URL, BenchServers.REDIS_URL);
                    settings.put(TierCacheSettings.REDIS_PREFIX, unique + ":");
                }
                if (side.equals(TIERCACHE_REDIS_L2)) {
                    settings.put(TierCacheSettings.L1_MAX_BYTES, SMALL_L1);
                }
            }
        }
        return settings;
    }

    private void insert(int rows) {
        try (StatelessSession session = sessionFactory.openStatelessSession()) {
            Transaction transaction = session.beginTransaction();
            for (long id = 1; id <= rows; id++) {
                session.insert(new Customer(id));
            }
            transaction.commit();
        }
    }

    /** One load of every row: puts each in the cache (a second-level-cache side), warms the database's buffers. */
    private void loadAll(int rows) {
        for (long id = 1; id <= rows; id++) {
            if (find(id) == null) {
                throw new IllegalStateException("customer " + id + " was inserted but does not load");
            }
        }
        SyncEngine engine = tiercacheEngine();
        if (engine != null) {
            engine.forceFlush().join(); // Redis holds every entry before the measurement starts
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (sessionFactory != null) {
                sessionFactory.close();
            }
        } finally {
            if (dataSource != null) {
                dataSource.close();
            }
            if (side.equals(REDISSON)) {
                BenchServers.deleteRedisKeys("*" + unique + "*");
            } else if (!side.equals(DATABASE)) {
                BenchServers.deleteRedisKeys(unique + ":*");
            }
            BenchServers.dropDatabase(unique);
            BenchServers.deleteFolder(scratch);
        }
    }
}
