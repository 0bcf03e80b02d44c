package io.tiercache.jcache.nodes;

import io.tiercache.jcache.TierCachingProvider;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * One node of {@link TwoNodeAtomicityIT}, run in a JVM of its own: opens the shared caches, prints READY, waits for
 * GO on stdin so that both nodes start together, then runs its share and prints what it won.
 * Args: redisPrefix jdbcUrl dataDir nodeName increments keys.
 */
public final class AtomicityWorker {
    private AtomicityWorker() {
    }

    public static void main(String[] args) throws Exception {
        String nodeName = args[3];
        int increments = Integer.parseInt(args[4]);
        int keys = Integer.parseInt(args[5]);
        TierCachingProvider provider = new TierCachingProvider();
        try (CacheManager manager = provider.getCacheManager(URI.create("tiercache:" + nodeName),
                AtomicityWorker.class.getClassLoader(), settings(args[0], args[1], args[2]))) {
            Cache<String, Long> counters = manager.createCache("counters", new MutableConfiguration<String, Long>()
                    .setTypes(String.class, Long.class));
            Cache<String, String> owners = manager.createCache("owners", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"GO".equals(in.readLine())) {
                throw new IllegalStateException("expected GO on stdin");
            }
            List<String> won = new ArrayList<>();
            for (int i = 0; i < Math.max(increments, keys); i++) {
                if (i < increments) {
                    counters.invoke("hits", new Increment());
                }
                if (i < keys && owners.putIfAbsent("job-" + i, nodeName)) {
                    won.add("job-" + i);
                }
            }
            System.out.println("WON " + String.join(",", won));
            System.out.flush();
        }
        provider.close();
    }

    /** The settings every node shares: one Redis prefix, one MariaDB database; each its own local WAL. */
    public static Properties settings(String redisPrefix, String jdbcUrl, String dataDir) {
        Properties settings = new Properties();
        settings.setProperty("tiercache.redis.url", "redis://127.0.0.1:6379");
        settings.setProperty("tiercache.redis.prefix", redisPrefix);
        settings.setProperty("tiercache.sql.url", jdbcUrl);
        settings.setProperty("tiercache.sql.username", "root");
        settings.setProperty("tiercache.data-dir", dataDir);
        // A node joining later must not empty what the others already stored.
        settings.setProperty("tiercache.cache.on-create", "KEEP");
        return settings;
    }

    /** Adds one to the counter; runs inside the key's atomic step, on whichever node calls it. */
    public static final class Increment implements EntryProcessor<String, Long, Void> {
        @Override
        public Void process(MutableEntry<String, Long> entry, Object... arguments) {
            entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L);
            return null;
        }
    }
}
