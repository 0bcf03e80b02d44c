package io.tiercache.engine.crash;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process {@link CrashIT} kills: writes items at one durability from several threads and prints
 * {@code ACK <id>} only after a write's future completed, so every printed id is a promise the engine made.
 * Arguments: data dir, durability.
 */
public final class CrashWriter {
    private static final int THREADS = 4;

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Path dataDir = Path.of(args[0]);
        Durability durability = Durability.valueOf(args[1]);
        SyncEngine engine = SyncEngine.start(SyncEngineConfig.builder().dataDir(dataDir).build());
        SubmitOptions options = SubmitOptions.defaults().withDurability(durability);
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < THREADS; t++) {
            Thread writer = new Thread(() -> {
                while (true) {
                    int n = next.getAndIncrement();
                    String id = "crash/" + n;
                    engine.submitWith(id, payloadOf(n), options).join();
                    acknowledge(id);
                }
            }, "writer-" + t);
            writer.start();
        }
        System.out.println("READY");
        System.out.flush();
    }

    private static synchronized void acknowledge(String id) {
        System.out.println("ACK " + id);
        System.out.flush();
    }

    /** A payload the checker can recompute: JSON for even numbers, binary for odd ones, sizes varying. */
    public static byte[] payloadOf(int n) {
        if (n % 2 == 0) {
            return ("{\"n\":" + n + ",\"pad\":\"" + "x".repeat(n % 300) + "\"}").getBytes(
                    java.nio.charset.StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[n % 500];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (n * 31 + i);
        }
        return bytes;
    }
}
