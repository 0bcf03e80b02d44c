package io.tiercache.samples.hibernate;

import org.hibernate.SessionFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The second node of {@link TwoNodesDemo}: its own JVM, SessionFactory, engine and L1, sharing MariaDB and Redis
 * with node A. It does what node A asks on standard input ({@code read}, {@code watch}, {@code quit}), prints what
 * it saw and which tier served it, and ends every answer with {@link #DONE}.
 */
final class NodeB {
    static final String DONE = "--done--";
    private static final long WATCH_LIMIT_MS = 15_000;
    private static final long POLL_MS = 200;

    private final SessionFactory sessionFactory;
    private final TierProbe probe;
    private final PrintStream out;

    private NodeB(SessionFactory sessionFactory, PrintStream out) {
        this.sessionFactory = sessionFactory;
        this.probe = new TierProbe(sessionFactory);
        this.out = out;
    }

    /** Runs node B until node A says {@code quit}; {@code args} are {@link TwoNodeSettings#asArguments()}. */
    static void run(List<String> args) throws Exception {
        SampleHibernate.logThroughSlf4j();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (SessionFactory sessionFactory = SampleHibernate.build(TwoNodeSettings.fromArguments(args).hibernate(false));
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            NodeB node = new NodeB(sessionFactory, out);
            out.println("node B  started in JVM " + ProcessHandle.current().pid() + " (its own engine and L1)");
            out.println(DONE);
            for (String command = in.readLine(); command != null && !command.equals("quit"); command = in.readLine()) {
                if (command.equals("read")) {
                    node.read();
                } else if (command.equals("watch")) {
                    node.watchForTheRename();
                }
                out.println(DONE);
            }
        }
    }

    private TierProbe.Read<Book> find() {
        return probe.read(() -> sessionFactory.fromTransaction(session -> session.find(Book.class, 1L)));
    }

    private void read() {
        TierProbe.Read<Book> read = find();
        out.println("node B  read Book#1 \"" + read.value().getTitle() + "\" from " + read.servedBy());
    }

    /** Reads until the new title shows, saying how the first and the last read were served. */
    private void watchForTheRename() throws InterruptedException {
        long start = System.nanoTime();
        TierProbe.Read<Book> first = find();
        TierProbe.Read<Book> read = first;
        int staleReads = 0;
        while (read.value().getTitle().equals(SampleHibernate.BOOKS.get(0).getTitle())) {
            staleReads++;
            if (staleReads == 1) {
                out.println("node B  read Book#1 \"" + read.value().getTitle() + "\" from " + read.servedBy()
                        + ": the change-stream notice of node A's commit has not arrived yet");
            }
            if ((System.nanoTime() - start) / 1_000_000 > WATCH_LIMIT_MS) {
                out.println("node B  still reads the old title after " + WATCH_LIMIT_MS / 1000 + " s");
                return;
            }
            Thread.sleep(POLL_MS);
            read = find();
        }
        out.printf("node B  read Book#1 \"%s\" from %s after watching %d ms (%d reads of its old copy before): "
                        + "node A's change-stream notice dropped node B's L1 copy%n",
                read.value().getTitle(), read.servedBy(), (System.nanoTime() - start) / 1_000_000, staleReads);
    }
}
