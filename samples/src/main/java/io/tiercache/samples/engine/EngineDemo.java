package io.tiercache.samples.engine;

import io.tiercache.engine.EngineStats;
import io.tiercache.engine.ItemStatus;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The first thing a newcomer runs: the engine on its embedded default (L1 memory + an SQLite file, no Redis, no
 * MySQL), writing and reading a few thousand items, then restarting to show they survived.
 *
 * <p>Run it with {@code ./scripts/demo.sh}; an optional argument names the data folder (default
 * {@code ./tiercache-data}).
 */
public final class EngineDemo {
    private static final int USERS = 3000;
    private static final int BLOBS = 1000;
    private static final String[] PLANS = {"free", "pro", "enterprise"};

    private final PrintStream out;
    private final SyncEngineConfig config;

    EngineDemo(PrintStream out, SyncEngineConfig config) {
        this.out = out;
        this.config = config;
    }

    public static void main(String[] args) {
        SyncEngineConfig.Builder builder = SyncEngineConfig.builder();
        if (args.length > 0) {
            builder.dataDir(Path.of(args[0]));
        }
        new EngineDemo(System.out, builder.build()).run();
    }

    void run() {
        out.println("tiercache engine demo: embedded default (L1 memory + SQLite), data in "
                + config.dataDir().toAbsolutePath().normalize());
        long startNanos = System.nanoTime();
        try (SyncEngine engine = SyncEngine.start(config)) {
            long leftovers = engine.deletePrefix("demo/").join();
            if (leftovers > 0) {
                out.printf("  removed %d items left by a previous run%n", leftovers);
            }
            writeItems(engine);
            out.printf("%nwrote %d JSON users and %d binary blobs in %d ms%n", USERS, BLOBS,
                    (System.nanoTime() - startNanos) / 1_000_000);
            out.println("  right after the write, blob 999 is " + describe(engine.status("demo/blobs/999")));
            engine.forceFlush().join();
            out.println("  after forceFlush, blob 999 is       " + describe(engine.status("demo/blobs/999")));
            printStats("tiers", engine.stats(), engine);

            SyncItem ada = engine.get("demo/users/7").orElseThrow();
            out.printf("%nget demo/users/7 -> %s (%s, %d bytes, sha256 %s...)%n",
                    ada.contentAsJson().orElseThrow(), ada.contentType(), ada.payloadSize(),
                    ada.contentHash().substring(0, 12));
            SyncItem blob = engine.get("demo/blobs/3").orElseThrow();
            out.printf("get demo/blobs/3 -> %s, %d bytes%n", blob.contentType(), blob.payloadSize());

            out.println();
            out.println("states: " + countStates(engine));
            engine.setState("demo/users/7", "suspended").join();
            out.println("after setState(users/7, suspended): suspended=" + engine.countByState("suspended")
                    + " " + engine.listStateIds("suspended", 5));
            out.println("prefix scan demo/users/1 (first 5 of " + engine.countPrefix("demo/users/1") + "): "
                    + ids(engine.scanPrefix("demo/users/1", 5)));
            out.println("prefix demo/blobs/: " + engine.countPrefix("demo/blobs/") + " items");
            long removed = engine.deletePrefix("demo/blobs/").join();
            out.println("deletePrefix demo/blobs/ removed " + removed + "; now " + engine.countPrefix("demo/blobs/"));
            out.println("health: " + (engine.healthCheck().healthy() ? "healthy" : "UNHEALTHY")
                    + ", backends " + engine.healthCheck().backends());
        }

        out.println();
        out.println("restarting the engine on the same files...");
        try (SyncEngine engine = SyncEngine.start(config)) {
            long users = engine.countPrefix("demo/users/");
            SyncItem ada = engine.get("demo/users/7").orElseThrow();
            out.printf("after restart: %d users, demo/users/7 state=%s, blobs=%d, L1 cold -> first get from L3%n",
                    users, ada.state(), engine.countPrefix("demo/blobs/"));
            printStats("tiers after restart", engine.stats(), engine);
            out.println(users == USERS && "suspended".equals(ada.state())
                    ? "OK: everything written before the restart survived."
                    : "MISMATCH: expected " + USERS + " users and users/7 suspended");
        }
    }

    private void writeItems(SyncEngine engine) {
        Map<String, byte[]> users = new LinkedHashMap<>();
        for (int i = 0; i < USERS; i++) {
            String json = "{\"id\":" + i + ",\"name\":\"user-" + i + "\",\"plan\":\"" + PLANS[i % PLANS.length] + "\"}";
            users.put("demo/users/" + i, json.getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, byte[]> user : users.entrySet()) {
            int i = Integer.parseInt(user.getKey().substring("demo/users/".length()));
            engine.submitWith(user.getKey(), user.getValue(),
                    SubmitOptions.defaults().withState(PLANS[i % PLANS.length]));
        }
        Random random = new Random(42);
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        for (int i = 0; i < BLOBS; i++) {
            byte[] bytes = new byte[512 + random.nextInt(2048)];
            random.nextBytes(bytes);
            blobs.put("demo/blobs/" + i, bytes);
        }
        engine.submitMany(blobs).join();
    }

    private Map<String, Long> countStates(SyncEngine engine) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String plan : PLANS) {
            counts.put(plan, engine.countByState(plan));
        }
        return counts;
    }

    private void printStats(String title, EngineStats stats, SyncEngine engine) {
        out.printf("%s: L1 %d items / %.1f MiB of %.0f MiB | L3 %d rows | WAL %d | queued %d | pressure %.3f (%s)%n",
                title, stats.l1Items(), stats.l1Bytes() / 1048576.0, stats.l1MaxBytes() / 1048576.0,
                stats.l3Items(), stats.walDepth(), stats.queuedWrites(), engine.memoryPressure(), engine.pressure());
        out.printf("  reads: %d L1 hits, %d L3 hits, %d misses | flushes %d (%d items)%n",
                stats.l1Hits(), stats.l3Hits(), stats.misses(), stats.flushes(), stats.itemsFlushed());
    }

    private static String describe(ItemStatus status) {
        if (status instanceof ItemStatus.Synced synced) {
            return "synced (L1=" + synced.inL1() + ", L3=" + synced.inL3() + ")";
        }
        return status instanceof ItemStatus.Pending ? "pending (queued for write-behind)" : "missing";
    }

    private static List<String> ids(List<SyncItem> items) {
        return items.stream().map(SyncItem::id).toList();
    }
}
