package io.tiercache.engine.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own on a free loopback port, which a test may kill -9, pause (SIGSTOP) and resume.
 * The machine's shared Redis on 6379 is never touched.
 */
public final class PrivateRedis implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;

    private PrivateRedis(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    public static PrivateRedis start(String... extraArgs) throws IOException, InterruptedException {
        return startOn(PrivateMariaDb.freePort(), extraArgs);
    }

    /** As {@link #start}, on a port the caller chose (a cluster node also needs port + 10000 for its bus). */
    static PrivateRedis startOn(int port, String... extraArgs) throws IOException, InterruptedException {
        PrivateRedis redis = new PrivateRedis(port, Files.createTempDirectory("tiercache-redis"), List.of(extraArgs));
        try {
            redis.startServer();
        } catch (IOException | RuntimeException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public void restart() throws IOException, InterruptedException {
        startServer();
    }

    /** SIGSTOP: the server keeps its connections and data but answers nothing, like a hung or partitioned host. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    @Override
    public void close() throws IOException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
        }
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private void startServer() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PrivateMariaDb.executable("redis-server"),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString(), "--daemonize", "no"));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen on port " + port + " within 20 s");
    }
}
