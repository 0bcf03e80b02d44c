package io.tiercache.engine.chaos;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Everything fails in turn under a write load, with a private redis-server and a private MariaDB: Redis is killed
 * and restarted, MariaDB is killed and restarted, and the JVM running the engine ({@link ChaosWriter}) is killed and
 * a new one started on its data folder. After each step every write acknowledged at LOCAL_WAL or DURABLE is in
 * MariaDB at its newest acknowledged version or later, reads never failed, the engine reported itself healthy
 * again without a restart, and a read with L1 cleared serves no copy older than an acknowledged write (also during
 * each outage: from MariaDB while Redis is dead, from Redis and the WAL while MariaDB is).
 */
class FullStackChaosIT {
    private static final int IDS = 300;
    private static final int WRITERS = 4;
    private static final long OUTAGE_MS = 1500;
    private static PrivateMariaDb mariadb;
    private static PrivateRedis redis;

    @TempDir
    Path dir;
    private final String prefix = "chaos:" + UUID.randomUUID() + ":";
    /** Newest acknowledged version and content hash per id, over every child JVM. */
    private final Map<String, Ack> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong acknowledgements = new AtomicLong();
    private final List<Child> children = new CopyOnWriteArrayList<>();

    private record Ack(long version, String sha256) {
    }

    @BeforeAll
    static void startServers() throws Exception {
        redis = PrivateRedis.start();
        mariadb = PrivateMariaDb.start();
        mariadb.createDatabase("fullstack");
    }

    @AfterAll
    static void stopServers() throws Exception {
        PrivateServers.closeAll(redis, mariadb);
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Child child : children) {
            child.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void acknowledgedWritesSurviveKillingRedisMariaDbAndTheEngineJvm() throws Exception {
        Child child = startChild();
        awaitAcknowledgements(300);

        // Redis dies (and comes back empty): writes go on, reads fall through to MariaDB.
        long before = acknowledgements.get();
        redis.kill9();
        Thread.sleep(OUTAGE_MS);
        assertThat(acknowledgements.get() - before).as("writes acknowledged while Redis was dead").isGreaterThan(50);
        child.awaitHealth(false, "Redis dead");
        Map<String, Ack> beforeVerify = Map.copyOf(acknowledged);
        assertNoStaleReads(child, beforeVerify, "with Redis dead, served by MariaDB");
        redis.restart();
        long restartedAt = System.nanoTime();
        child.awaitHealthySince(restartedAt, "after Redis came back");
        assertEveryAcknowledgedWriteIsInL3("after the Redis outage");
        assertNoStaleReads(child, Map.copyOf(acknowledged), "after the Redis outage (ids updated while it was down)");

        // MariaDB dies: writes are journaled to the WAL, reads are served by L1 and Redis.
        before = acknowledgements.get();
        mariadb.kill9();
        Thread.sleep(OUTAGE_MS);
        assertThat(acknowledgements.get() - before).as("writes acknowledged while MariaDB was dead").isGreaterThan(50);
        child.awaitHealth(false, "MariaDB dead");
        // Redis came back empty and holds what was written or read since; an id only MariaDB holds cannot be read.
        assertNoStaleReads(child, Map.copyOf(acknowledged), "with MariaDB dead, served by Redis and the WAL", true);
        mariadb.restart();
        restartedAt = System.nanoTime();
        child.awaitHealthySince(restartedAt, "after MariaDB came back");
        assertEveryAcknowledgedWriteIsInL3("after the MariaDB outage");
        assertNoStaleReads(child, Map.copyOf(acknowledged), "after the MariaDB outage");
        assertThat(child.readsFailed.get()).as("reads that failed in the running engine; child stdout:\n%s",
                child.readFailures).isZero();
        assertThat(child.readsOk.get()).as("reads checked").isPositive();

        // The engine's JVM dies: a new one on the same data folder drains the WAL before it is ready.
        child.process.destroyForcibly();
        assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        child.pump.join(5000);
        Map<String, Ack> promised = Map.copyOf(acknowledged);
        Child next = startChild();
        assertEveryAcknowledgedWriteIsInL3(promised, "right after the new engine started");
        next.awaitHealthySince(System.nanoTime(), "new engine JVM");
        assertNoStaleReads(next, Map.copyOf(acknowledged), "in the new engine JVM");
        awaitAcknowledgements(acknowledgements.get() + 100);
        assertThat(next.readsFailed.get()).as("reads that failed in the new engine: %s", next.readFailures).isZero();
    }

    private Child startChild() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ChaosWriter.class.getName(),
                dir.resolve("data").toString(), redis.url(), mariadb.jdbcUrl("fullstack"), prefix,
                Integer.toString(IDS), Integer.toString(WRITERS))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.err").toFile()))
                .start();
        Child child = new Child(process);
        children.add(child);
        String started = child.started.poll(60, TimeUnit.SECONDS);
        assertThat(started).as("child started; stderr: %s", stderr()).isNotNull();
        return child;
    }

    private String stderr() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("child.err"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(none)";
        }
    }

    private void awaitAcknowledgements(long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (acknowledgements.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(acknowledgements.get()).as("acknowledged writes; stderr: %s", stderr()).isGreaterThanOrEqualTo(count);
    }

    /** Asks the child to clear L1 and read every id; none may be older than what was acknowledged before. */
    private void assertNoStaleReads(Child child, Map<String, Ack> lowerBounds, String when) throws Exception {
        assertNoStaleReads(child, lowerBounds, when, false);
    }

    private void assertNoStaleReads(Child child, Map<String, Ack> lowerBounds, String when, boolean l3Down)
            throws Exception {
        child.verifyAnswers.clear();
        child.send("VERIFY");
        List<String> stale = new ArrayList<>();
        for (int i = 0; i < IDS; i++) {
            String line = child.verifyAnswers.poll(20, TimeUnit.SECONDS);
            assertThat(line).as("answer %d of VERIFY %s", i, when).isNotNull();
            String[] parts = line.split(" ", 4);
            Ack expected = lowerBounds.get(parts[1]);
            if (parts[2].equals("failed")) {
                if (!(l3Down && line.contains("TierUnavailableException: L3 is unavailable"))) {
                    stale.add(line);
                }
            } else if (expected != null && (parts[2].equals("-") || Long.parseLong(parts[2]) < expected.version())) {
                stale.add(line + " (acknowledged " + expected.version() + ")");
            }
        }
        assertThat(stale).as("reads with L1 cleared %s that failed or served an older copy", when).isEmpty();
    }

    private void assertEveryAcknowledgedWriteIsInL3(String when) throws Exception {
        // LOCAL_WAL writes reach MariaDB a flush (or a WAL drain) after their acknowledgement.
        Map<String, Ack> promised = Map.copyOf(acknowledged);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!missingFromL3(promised).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEveryAcknowledgedWriteIsInL3(promised, when);
    }

    private void assertEveryAcknowledgedWriteIsInL3(Map<String, Ack> promised, String when) throws Exception {
        List<String> missing = missingFromL3(promised);
        assertThat(missing).as("acknowledged writes not in MariaDB %s (%d); last health: %s; stderr: %s", when,
                missing.size(), children.get(children.size() - 1).lastHealth, stderr()).isEmpty();
    }

    private List<String> missingFromL3(Map<String, Ack> promised) throws Exception {
        Map<String, Ack> stored = new HashMap<>();
        try (Connection c = DriverManager.getConnection(mariadb.jdbcUrl("fullstack"), "root", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, version, content_hash FROM sync_items")) {
            while (rs.next()) {
                stored.put(rs.getString(1), new Ack(rs.getLong(2), rs.getString(3)));
            }
        }
        List<String> missing = new ArrayList<>();
        promised.forEach((id, ack) -> {
            Ack row = stored.get(id);
            if (row == null || row.version() < ack.version()
                    || row.version() == ack.version() && !row.sha256().equals(ack.sha256())) {
                missing.add(id + " acknowledged " + ack + ", MariaDB has " + row);
            }
        });
        return missing;
    }

    /** One engine JVM and what it printed. */
    private final class Child {
        final Process process;
        final Writer stdin;
        final Thread pump;
        final LinkedBlockingQueue<String> started = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<String> verifyAnswers = new LinkedBlockingQueue<>();
        final AtomicLong readsOk = new AtomicLong();
        final AtomicLong readsFailed = new AtomicLong();
        final List<String> readFailures = new CopyOnWriteArrayList<>();
        volatile String lastHealth = "";
        volatile long lastHealthyNanos;
        volatile long lastUnhealthyNanos;

        Child(Process process) {
            this.process = process;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            this.pump = new Thread(this::pump, "child-stdout");
            pump.setDaemon(true);
            pump.start();
        }

        void send(String line) throws IOException {
            stdin.write(line + "\n");
            stdin.flush();
        }

        private void pump() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    String[] parts = line.split(" ", 4);
                    switch (parts[0]) {
                        case "ACK" -> {
                            Ack ack = new Ack(Long.parseLong(parts[2]), parts[3]);
                            acknowledged.merge(parts[1], ack, (old, neu) -> neu.version() > old.version() ? neu : old);
                            acknowledgements.incrementAndGet();
                        }
                        case "HEALTH" -> {
                            lastHealth = line;
                            if (parts[1].equals("true")) {
                                lastHealthyNanos = System.nanoTime();
                            } else {
                                lastUnhealthyNanos = System.nanoTime();
                            }
                        }
                        case "READS" -> {
                            readsOk.set(Long.parseLong(parts[1]));
                            readsFailed.set(Long.parseLong(parts[2]));
                        }
                        case "READFAIL" -> readFailures.add(line);
                        case "GOT" -> verifyAnswers.add(line);
                        case "STARTED" -> started.add(line);
                        default -> { }
                    }
                }
            } catch (IOException e) {
                // The child was killed.
            }
        }

        void awaitHealth(boolean healthy, String why) throws InterruptedException {
            long since = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(OUTAGE_MS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((healthy ? lastHealthyNanos : lastUnhealthyNanos) < since && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat((healthy ? lastHealthyNanos : lastUnhealthyNanos) >= since)
                    .as("health reported %s (%s); last: %s", healthy, why, lastHealth).isTrue();
        }

        void awaitHealthySince(long since, String why) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (lastHealthyNanos < since && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (lastHealthyNanos < since) {
                fail("the engine did not report itself healthy " + why + " within 15 s; last: " + lastHealth
                        + "\nstderr: " + stderr());
            }
        }
    }
}
