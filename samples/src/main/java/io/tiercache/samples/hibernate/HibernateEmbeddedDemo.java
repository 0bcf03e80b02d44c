package io.tiercache.samples.hibernate;

import io.tiercache.engine.EngineStats;
import io.tiercache.engine.SyncEngine;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Hibernate with the tiercache second-level cache on its embedded default: an H2 in-memory application database,
 * and cache regions in L1 memory plus an SQLite file. It reads the same books and the same query three times (cold
 * cache, warm cache, and with L1 dropped so SQLite answers) and prints what Hibernate's statistics counted.
 *
 * <p>Run it with {@code ./scripts/sample.sh hibernate}; an optional argument names the cache's data folder (default
 * {@code ./tiercache-data/hibernate-sample}). Nothing else needs to be installed.
 */
public final class HibernateEmbeddedDemo {
    private final PrintStream out;
    private final Path dataDir;

    HibernateEmbeddedDemo(PrintStream out, Path dataDir) {
        this.out = out;
        this.dataDir = dataDir;
    }

    public static void main(String[] args) {
        SampleHibernate.logThroughSlf4j();
        Path dataDir = Path.of(args.length > 0 ? args[0] : "tiercache-data/hibernate-sample");
        new HibernateEmbeddedDemo(System.out, dataDir).run();
    }

    Map<String, Object> settings() {
        Map<String, Object> settings = SampleHibernate.cacheSettings();
        settings.put(AvailableSettings.JAKARTA_JDBC_URL, "jdbc:h2:mem:books;DB_CLOSE_DELAY=-1");
        settings.put(AvailableSettings.JAKARTA_JDBC_USER, "sa");
        settings.put(AvailableSettings.HBM2DDL_AUTO, "create-drop");
        // L3 is opt-in for Hibernate (the application's database is the ground truth); the sample turns it on to
        // show entries surviving the loss of L1.
        settings.put("hibernate.cache.tiercache.sql.enabled", "true");
        settings.put("hibernate.cache.tiercache.data-dir", dataDir.toString());
        return settings;
    }

    void run() {
        out.println("tiercache + Hibernate: H2 in-memory application database, second-level cache on L1 memory + "
                + "SQLite in " + dataDir.toAbsolutePath().normalize());
        try (SessionFactory sessionFactory = SampleHibernate.build(settings())) {
            SyncEngine engine = SampleHibernate.engine(sessionFactory);
            sessionFactory.inTransaction(session -> SampleHibernate.BOOKS.forEach(session::persist));
            // The database is new on every run, so entries an earlier run left in the SQLite file describe rows
            // that are gone; the inserts also cached the books. Start cold so round 1 shows the misses.
            sessionFactory.getCache().evictAllRegions();
            out.println("stored " + SampleHibernate.BOOKS.size() + " books; cache emptied so round 1 starts cold");
            out.println();

            CacheReport report = new CacheReport(out, sessionFactory);
            readEverything(sessionFactory, true);
            report.step("round 1 (cold cache)");
            readEverything(sessionFactory, false);
            report.step("round 2 (warm cache)");

            // What a restarted node sees: its memory is empty, the SQLite file still has the entries.
            engine.forceFlush().join();
            engine.clearL1();
            EngineStats before = engine.stats();
            readEverything(sessionFactory, false);
            report.step("round 3 (L1 dropped)");
            EngineStats after = engine.stats();
            out.printf("  round 3 was served by: L1 %d reads, L3 (SQLite) %d reads, %d misses%n",
                    after.l1Hits() - before.l1Hits(), after.l3Hits() - before.l3Hits(),
                    after.misses() - before.misses());

            sessionFactory.inTransaction(session -> session.find(Book.class, 3L).setTitle("Kindred (2nd ed.)"));
            report.reset();
            List<Book> leGuin = booksBy(sessionFactory, "Ursula K. Le Guin");
            Book kindred = sessionFactory.fromTransaction(session -> session.find(Book.class, 3L));
            report.step("after an update of #3");
            out.println("  -> " + kindred + " (the update replaced the cached entry; the query ran again because "
                    + "the books table changed, and found " + leGuin.size() + " books)");
            out.println();
            report.regions("per region (Hibernate statistics, whole run):");
        }
    }

    private void readEverything(SessionFactory sessionFactory, boolean print) {
        for (Book book : SampleHibernate.BOOKS) {
            Book found = sessionFactory.fromTransaction(session -> session.find(Book.class, book.getId()));
            if (print) {
                out.println("  find Book#" + found.getId() + " -> " + found);
            }
        }
        List<Book> leGuin = booksBy(sessionFactory, "Ursula K. Le Guin");
        if (print) {
            out.println("  query books by Ursula K. Le Guin -> " + leGuin.size() + " books");
        }
    }

    private static List<Book> booksBy(SessionFactory sessionFactory, String author) {
        return sessionFactory.fromTransaction(session -> session.createSelectionQuery(SampleHibernate.BOOKS_BY_AUTHOR,
                Book.class).setParameter("author", author).setCacheable(true).getResultList());
    }
}
