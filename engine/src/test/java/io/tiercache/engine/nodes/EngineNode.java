package io.tiercache.engine.nodes;

import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node of {@link TwoNodeCoherenceIT}, in a JVM of its own: an engine on the given Redis and MariaDB, answering
 * one command per stdin line. Times are {@code System.nanoTime()}, one clock for every process on the machine.
 * Args: redisUrl redisPrefix jdbcUrl dataDir.
 */
public final class EngineNode {
    private EngineNode() {
    }

    public static void main(String[] args) throws Exception {
        SyncEngineConfig config = SyncEngineConfig.builder().redisUrl(args[0]).redisPrefix(args[1]).sqlUrl(args[2])
                .sqlUsername("root").dataDir(Path.of(args[3])).redisTimeoutMs(500).redisResponseTimeoutMs(500)
                .sqlRetryBackoffMs(100).build();
        try (SyncEngine engine = SyncEngine.start(config)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.out.println("READY");
            System.out.flush();
            for (String line = in.readLine(); line != null && !line.equals("QUIT"); line = in.readLine()) {
                String[] command = line.split(" ");
                switch (command[0]) {
                    // PUT id value: stored and flushed, then "OK <nanoTime>"
                    case "PUT" -> {
                        engine.submit(command[1], command[2].getBytes(StandardCharsets.UTF_8)).join();
                        engine.forceFlush().join();
                        reply("OK " + System.nanoTime());
                    }
                    // GET id: "VALUE <value>" or "NONE"
                    case "GET" -> reply(read(engine, command[1]).map(v -> "VALUE " + v).orElse("NONE"));
                    // WAIT id value: answers at once "WAITING", then "SEEN <nanoTime>" when reads return value
                    case "WAIT" -> {
                        reply("WAITING");
                        CompletableFuture.runAsync(() -> {
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                            while (System.nanoTime() < deadline) {
                                if (read(engine, command[1]).filter(command[2]::equals).isPresent()) {
                                    reply("SEEN " + System.nanoTime());
                                    return;
                                }
                                Thread.onSpinWait();
                            }
                            reply("NEVER");
                        });
                    }
                    // HEALTHY: waits up to 20 s for every backend to answer and L1 to be served again
                    case "HEALTHY" -> {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (!engine.healthCheck().healthy() && System.nanoTime() < deadline) {
                            TimeUnit.MILLISECONDS.sleep(50);
                        }
                        reply(engine.healthCheck().healthy() ? "HEALTHY" : "UNHEALTHY " + engine.healthCheck());
                    }
                    default -> reply("UNKNOWN " + command[0]);
                }
            }
        }
    }

    private static Optional<String> read(SyncEngine engine, String id) {
        return engine.get(id).map(SyncItem::payload).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    private static synchronized void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
