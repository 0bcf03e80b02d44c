package io.tiercache.hibernate;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.hibernate.model.Person;
import jakarta.persistence.OptimisticLockException;
import org.hibernate.SessionFactory;
import org.hibernate.StaleStateException;
import org.hibernate.cfg.AvailableSettings;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One application node of {@link TwoNodeHibernateIT}, in a JVM of its own: a SessionFactory on the shared MariaDB
 * application database with tiercache over the shared Redis, its clock shifted by {@code clockOffsetMs}. It answers
 * one command per stdin line (see {@link #handle}). Args: redisPrefix appJdbcUrl dataDir clockOffsetMs createSchema.
 */
public final class HibernateNode {
    private final SessionFactory sessions;
    private final String appJdbcUrl;

    private HibernateNode(SessionFactory sessions, String appJdbcUrl) {
        this.sessions = sessions;
        this.appJdbcUrl = appJdbcUrl;
    }

    public static void main(String[] args) throws Exception {
        long offset = Long.parseLong(args[3]);
        SyncEngineConfig config = SyncEngineConfig.builder().redisUrl("redis://127.0.0.1:6379").redisPrefix(args[0])
                .sqlEnabled(false).dataDir(java.nio.file.Path.of(args[2]))
                .timeSource(() -> System.currentTimeMillis() + offset).build();
        try (SyncEngine engine = SyncEngine.start(config)) {
            Map<String, Object> settings = HibernateFixture.settings();
            settings.put(AvailableSettings.JAKARTA_JDBC_URL, args[1]);
            settings.put(AvailableSettings.JAKARTA_JDBC_USER, "root");
            settings.put(AvailableSettings.HBM2DDL_AUTO, Boolean.parseBoolean(args[4]) ? "create" : "none");
            settings.put(AvailableSettings.POOL_SIZE, "8");
            settings.put(TierCacheSettings.ENGINE, engine);
            try (SessionFactory sessions = HibernateFixture.build(settings)) {
                HibernateNode node = new HibernateNode(sessions, args[1]);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                System.out.println("READY");
                System.out.flush();
                for (String line = in.readLine(); line != null && !line.equals("QUIT"); line = in.readLine()) {
                    System.out.println(node.handle(line.split(" ")));
                    System.out.flush();
                }
            }
        }
    }

    /**
     * {@code CREATE id name}, {@code UPDATE id name}, {@code READ id}, {@code QUERY name} (cached query: how many
     * people have that name), {@code ROLLBACK id name} (an update rolled back after its flush), {@code HITS}
     * (second-level hits of Person), {@code STRESS millis updaters readers ids}.
     */
    private String handle(String[] command) throws Exception {
        return switch (command[0]) {
            case "CREATE" -> {
                sessions.inTransaction(s -> s.persist(new Person(Long.parseLong(command[1]),
                        "p" + command[1] + "@example.com", command[2])));
                yield "OK";
            }
            case "UPDATE" -> {
                sessions.inTransaction(s -> s.find(Person.class, Long.parseLong(command[1])).name = command[2]);
                yield "OK";
            }
            case "READ" -> "VALUE " + sessions.fromTransaction(s -> s.find(Person.class, Long.parseLong(command[1])).name);
            case "QUERY" -> "COUNT " + countNamed(command[1]);
            case "ROLLBACK" -> {
                sessions.inSession(s -> {
                    s.beginTransaction();
                    s.find(Person.class, Long.parseLong(command[1])).name = command[2];
                    s.flush();
                    s.getTransaction().rollback();
                });
                yield "OK";
            }
            case "HITS" -> "HITS " + HibernateFixture.region(sessions, Person.class).getHitCount();
            case "STRESS" -> stress(Long.parseLong(command[1]), Integer.parseInt(command[2]),
                    Integer.parseInt(command[3]), Integer.parseInt(command[4]));
            default -> throw new IllegalArgumentException("unknown command " + command[0]);
        };
    }

    private long countNamed(String name) {
        return sessions.fromTransaction(s -> s.createQuery("select count(p) from Person p where p.name = :name",
                Long.class).setParameter("name", name).setCacheable(true).getSingleResult());
    }

    /**
     * Names are {@code <id>:<count>}. Updaters count a person's name up by one (optimistic locking retries lost
     * races); readers first read the committed count straight from the database, then ask Hibernate (cache first)
     * and a cached query, and count every answer older than what was committed before they asked: a stale read.
     * A query for the current name caches a result of 1; asking later for a name that was already replaced when the
     * question was asked must give 0, whatever the query cache held.
     */
    private String stress(long millis, int updaters, int readers, int ids) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000;
        AtomicLong updates = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        AtomicLong stale = new AtomicLong();
        AtomicLong staleQueries = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int u = 0; u < updaters; u++) {
            threads.add(new Thread(() -> {
                while (System.nanoTime() < end) {
                    long id = 1 + ThreadLocalRandom.current().nextInt(ids);
                    try {
                        sessions.inTransaction(s -> {
                            Person person = s.find(Person.class, id);
                            person.name = id + ":" + (count(person.name) + 1);
                        });
                        updates.incrementAndGet();
                    } catch (OptimisticLockException | StaleStateException e) {
                        // another node's update won this round
                    }
                }
            }));
        }
        for (int r = 0; r < readers; r++) {
            threads.add(new Thread(() -> {
                try (Connection db = DriverManager.getConnection(appJdbcUrl, "root", "")) {
                    while (System.nanoTime() < end) {
                        long id = 1 + ThreadLocalRandom.current().nextInt(ids);
                        long committed = committedCount(db, id);
                        long cached = count(sessions.fromTransaction(s -> s.find(Person.class, id).name));
                        if (cached < committed) {
                            stale.incrementAndGet();
                        }
                        countNamed(id + ":" + committed);
                        if (committed > 0 && countNamed(id + ":" + (committed - 1)) > 0) {
                            staleQueries.incrementAndGet();
                        }
                        reads.incrementAndGet();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        AtomicLong errors = new AtomicLong();
        for (Thread thread : threads) {
            thread.setUncaughtExceptionHandler((t, e) -> {
                errors.incrementAndGet();
                e.printStackTrace();
            });
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return "STRESSED updates=" + updates + " reads=" + reads + " stale=" + stale + " staleQueries="
                + staleQueries + " errors=" + errors;
    }

    private static long count(String name) {
        return Long.parseLong(name.substring(name.indexOf(':') + 1));
    }

    private static long committedCount(Connection db, long id) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT name FROM Person WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return count(rs.getString(1));
            }
        }
    }
}
