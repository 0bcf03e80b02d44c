package io.tiercache.engine.chaos;

import io.tiercache.engine.Durability;
import io.tiercache.engine.HealthReport;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The JVM {@link FullStackChaosIT} runs its engine in (and kills): an engine over Redis and MariaDB under a write
 * load from several threads, alternating LOCAL_WAL and DURABLE, and a reader. It speaks in lines on stdout:
 * <ul>
 *   <li>{@code STARTED <walDepthAfterStart> <itemsDrained>} once the engine is ready;</li>
 *   <li>{@code ACK <id> <version> <sha256>} after a write's future completed (a promise the engine made);</li>
 *   <li>{@code HEALTH <healthy> <report>} every 200 ms, from {@link SyncEngine#healthCheck()};</li>
 *   <li>{@code READS <ok> <failed>} every 200 ms: reads of ids acknowledged since L1 was last cleared that returned
 *       the acknowledged version or newer, and those that threw, missed or returned an older one ({@code READFAIL}
 *       lines say which);</li>
 *   <li>answering a {@code VERIFY} line on stdin: L1 cleared, then every id read again through the shared tiers,
 *       one {@code GOT <id> <version or -> } line each, then {@code VERIFIED}.</li>
 * </ul>
 * Arguments: data dir, Redis URL, MySQL JDBC URL, Redis prefix, id count, writer threads.
 */
public final class ChaosWriter {
    private static final PrintStream OUT = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    private static final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private static final AtomicLong readsOk = new AtomicLong();
    private static final AtomicLong readsFailed = new AtomicLong();
    /** The reader checks reads of a warm engine: it waits while VERIFY has L1 cleared on purpose. */
    private static final ReentrantReadWriteLock verifying = new ReentrantReadWriteLock();
    /**
     * Ids acknowledged since L1 was last cleared, which the reader reads: each has a copy in L1, the write-behind
     * queue or the WAL whatever shared tier is down.
     */
    private static final Set<String> readable = ConcurrentHashMap.newKeySet();

    private ChaosWriter() {
    }

    /** The settings the chaos test runs the engine with (timeouts short so outages are noticed quickly). */
    public static SyncEngineConfig config(Path dataDir, String redisUrl, String sqlUrl, String prefix) {
        return SyncEngineConfig.builder()
                .dataDir(dataDir)
                .redisUrl(redisUrl)
                .redisPrefix(prefix)
                .redisTimeoutMs(500)
                .redisResponseTimeoutMs(500)
                .sqlUrl(sqlUrl)
                .sqlUsername("root")
                .sqlTimeoutMs(1000)
                .sqlRetryBackoffMs(100)
                .batchFlushMs(20)
                .build();
    }

    /**
     * An engine refuses to start while L3 cannot even be opened; like a supervisor restarting the application, the
     * writer tries again for a while (a MariaDB restarted moments ago on a loaded machine may take seconds to accept).
     */
    private static SyncEngine startWhenL3Answers(SyncEngineConfig config) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return SyncEngine.start(config);
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline || !String.valueOf(e.getMessage()).contains("L3")) {
                    throw e;
                }
                System.err.println("start refused, retrying: " + e.getMessage());
                Thread.sleep(500);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        SyncEngine engine = startWhenL3Answers(config(Path.of(args[0]), args[1], args[2], args[3]));
        int ids = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        print("STARTED " + engine.stats().walDepth() + " " + engine.stats().itemsDrained());
        for (int t = 0; t < threads; t++) {
            int writer = t;
            daemon("writer-" + t, () -> write(engine, writer, ids));
        }
        daemon("reader", () -> read(engine));
        daemon("reporter", () -> report(engine));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("VERIFY")) {
                verify(engine, ids);
            }
        }
    }

    private static void write(SyncEngine engine, int writer, int ids) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long n = 0; ; n++) {
            String id = "fs/" + random.nextInt(ids);
            Durability durability = n % 2 == 0 ? Durability.LOCAL_WAL : Durability.DURABLE;
            byte[] payload = ("{\"w\":" + writer + ",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
            try {
                SyncItem item = engine.submitWith(id, payload, SubmitOptions.defaults().withDurability(durability))
                        .join();
                acknowledged.merge(id, item.version(), Math::max);
                readable.add(id);
                print("ACK " + id + " " + item.version() + " " + item.contentHash());
            } catch (RuntimeException e) {
                // Refused (backpressure) or failed: not acknowledged, so no promise to check.
                System.err.println("write of " + id + " failed: " + e);
                sleep(5);
            }
        }
    }

    private static void read(SyncEngine engine) {
        while (true) {
            Object[] ids = readable.toArray();
            verifying.readLock().lock();
            try {
                readSome(engine, ids);
            } finally {
                verifying.readLock().unlock();
            }
            sleep(10);
        }
    }

    private static void readSome(SyncEngine engine, Object[] ids) {
        for (int i = 0; i < 20 && ids.length > 0; i++) {
            String id = (String) ids[ThreadLocalRandom.current().nextInt(ids.length)];
            long expected = acknowledged.get(id);
            try {
                Optional<SyncItem> found = engine.get(id);
                if (found.isPresent() && found.get().version() >= expected) {
                    readsOk.incrementAndGet();
                } else {
                    readsFailed.incrementAndGet();
                    print("READFAIL " + id + " expected>=" + expected + " got "
                            + found.map(item -> Long.toString(item.version())).orElse("nothing"));
                }
            } catch (RuntimeException e) {
                readsFailed.incrementAndGet();
                print("READFAIL " + id + " " + e);
            }
        }
    }

    private static void report(SyncEngine engine) {
        while (true) {
            HealthReport health = engine.healthCheck();
            print("HEALTH " + health.healthy() + " " + health.backends() + " wal=" + health.walDepth());
            print("READS " + readsOk.get() + " " + readsFailed.get());
            sleep(200);
        }
    }

    /** Reads every id with L1 empty, so each answer comes from Redis or MariaDB. */
    private static void verify(SyncEngine engine, int ids) {
        verifying.writeLock().lock();
        try {
            verifyCold(engine, ids);
        } finally {
            verifying.writeLock().unlock();
        }
    }

    private static void verifyCold(SyncEngine engine, int ids) {
        readable.clear();
        engine.clearL1();
        for (int i = 0; i < ids; i++) {
            String id = "fs/" + i;
            try {
                print("GOT " + id + " " + engine.get(id).map(item -> Long.toString(item.version())).orElse("-"));
            } catch (RuntimeException e) {
                print("GOT " + id + " failed " + e);
            }
        }
        print("VERIFIED");
    }

    private static void print(String line) {
        synchronized (OUT) {
            OUT.println(line);
            OUT.flush();
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
