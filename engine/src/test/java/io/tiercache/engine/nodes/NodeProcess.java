package io.tiercache.engine.nodes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node of a multi-JVM test: a child JVM on the test's own classpath running {@code mainClass}, which prints
 * {@code READY} once started and then answers one line per command line on its stdin. Its stderr goes to a log file
 * the failure messages name. Every wait is bounded, so a hung node fails the test instead of hanging it.
 *
 * <pre>{@code
 * try (NodeProcess node = NodeProcess.start(EngineNode.class, dir.resolve("a.log"), redisUrl, "prefix:", jdbc, dir)) {
 *     assertThat(node.ask("GET users/1")).isEqualTo("NONE");
 * }
 * }</pre>
 */
public final class NodeProcess implements AutoCloseable {
    private static final long ANSWER_SECONDS = 120;

    private final Process process;
    private final Path log;
    private final BufferedReader out;
    private final OutputStream in;

    private NodeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = process.getOutputStream();
    }

    /** Starts {@code mainClass} with {@code args} and waits for its {@code READY}. */
    public static NodeProcess start(Class<?> mainClass, Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        NodeProcess node = new NodeProcess(new ProcessBuilder(command).redirectError(log.toFile()).start(), log);
        String first = node.next();
        if (!"READY".equals(first)) {
            node.close();
            throw new IllegalStateException(mainClass.getSimpleName() + " did not start (said " + first + "; log "
                    + log + ")");
        }
        return node;
    }

    public void send(String command) throws IOException {
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    public String ask(String command) throws Exception {
        send(command);
        return next();
    }

    /** The next line the node prints. */
    public String next() throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).get(ANSWER_SECONDS, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the whole JVM freezes, its threads included, as on a long GC pause or a descheduled container. */
    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
    }

    /** Waits for the node to end by itself; its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(ANSWER_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node did not exit (log " + log + ")");
        }
        return process.exitValue();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
