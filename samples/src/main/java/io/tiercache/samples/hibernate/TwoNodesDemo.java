package io.tiercache.samples.hibernate;

import io.tiercache.engine.SyncEngine;
import org.hibernate.SessionFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Hibernate sample as two nodes: this JVM (node A) and a second JVM it starts ({@link NodeB}), sharing a MariaDB
 * database ({@code tiercache_sample}, created if missing) and Redis as L2 (keys under {@code tiercache-sample:}).
 * Node B reads a book node A cached, node A renames it, and node B shows when and from which tier it sees the
 * new title.
 *
 * <p>Node B holds the book in its own L1. When node A commits the rename, node A's engine announces the change on
 * the Redis change stream that every node follows, node B's engine drops its L1 copy, and node B's next read comes
 * from L2. The output says which tier served every read it reports, from the engine's and Hibernate's counters.
 *
 * <p>Run it with {@code ./scripts/sample.sh two-nodes}, which first makes sure Redis and MariaDB run on 127.0.0.1
 * ({@code scripts/services.sh}).
 */
public final class TwoNodesDemo {
    static final String NEW_TITLE = "A Wizard of Earthsea (50th anniversary edition)";

    private final PrintStream out;
    private final TwoNodeSettings settings;

    TwoNodesDemo(PrintStream out, TwoNodeSettings settings) {
        this.out = out;
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("node-b")) {
            NodeB.run(List.of(args).subList(1, args.length));
            return;
        }
        SampleHibernate.logThroughSlf4j();
        new TwoNodesDemo(System.out, TwoNodeSettings.local()).run();
    }

    void run() throws IOException, InterruptedException {
        try (SessionFactory nodeA = SampleHibernate.build(settings.hibernate(true))) {
            SyncEngine engine = SampleHibernate.engine(nodeA);
            nodeA.inTransaction(session -> SampleHibernate.BOOKS.forEach(session::persist));
            // Entries a previous run left in Redis describe rows this run recreated: start with empty regions.
            nodeA.getCache().evictAllRegions();
            out.println("node A  stored " + SampleHibernate.BOOKS.size() + " books in MariaDB (" + settings.jdbcUrl()
                    + "); cache: L1 + L2 Redis under '" + settings.redisPrefix() + "'");

            Process nodeB = startNodeB();
            try (Writer commands = nodeB.outputWriter(StandardCharsets.UTF_8);
                 BufferedReader answers = nodeB.inputReader(StandardCharsets.UTF_8)) {
                relay(answers);
                TierProbe probe = new TierProbe(nodeA);
                TierProbe.Read<Book> read = probe.read(() -> nodeA.fromTransaction(s -> s.find(Book.class, 1L)));
                engine.forceFlush().join();
                out.println("node A  read Book#1 \"" + read.value().getTitle() + "\" from " + read.servedBy()
                        + " and cached it in L1 + L2");

                send(commands, "read");
                relay(answers);

                // Let node B's copy age, so the renamed entry outlives it in Redis by a margin a busy machine keeps.
                Thread.sleep(2_000);
                nodeA.inTransaction(session -> session.find(Book.class, 1L).setTitle(NEW_TITLE));
                engine.forceFlush().join();
                out.println("node A  renamed Book#1 to \"" + NEW_TITLE + "\" and committed; the new entry is in "
                        + "L1 + L2");

                send(commands, "watch");
                relay(answers);
                send(commands, "quit");
            } finally {
                if (!nodeB.waitFor(30, TimeUnit.SECONDS)) {
                    nodeB.destroyForcibly();
                }
            }
            out.println("both nodes stopped");
        }
    }

    /** The same class in a new JVM with this JVM's class path; its log goes to this process's stderr. */
    private Process startNodeB() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), TwoNodesDemo.class.getName(), "node-b"));
        command.addAll(settings.asArguments());
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void send(Writer commands, String command) throws IOException {
        commands.write(command + "\n");
        commands.flush();
    }

    /** Prints node B's answer up to its end marker. */
    private void relay(BufferedReader answers) throws IOException {
        for (String line = answers.readLine(); line != null; line = answers.readLine()) {
            if (line.equals(NodeB.DONE)) {
                return;
            }
            out.println(line);
        }
        throw new IOException("node B ended before answering; its log is above");
    }
}
