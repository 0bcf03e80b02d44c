package io.tiercache.engine.redis;

import io.tiercache.engine.SyncEngineConfig;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the test's own, on a free port, for what must not happen on the shared server: a small
 * maxmemory, SIGSTOP, SCRIPT FLUSH, passwords, server-wide counters. Killed on close.
 */
final class PrivateRedisServer implements AutoCloseable {
    private final int port;
    private final List<String> command;
    private Process process;

    private PrivateRedisServer(int port, List<String> command, Process process) {
        this.port = port;
        this.command = command;
        this.process = process;
    }

    /** Starts {@code redis-server} with {@code extraArgs} (e.g. {@code --maxmemory 4mb}) and waits until it listens. */
    static PrivateRedisServer start(String... extraArgs) throws IOException, InterruptedException {
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
        args.addAll(Arrays.asList(extraArgs));
        return launch(port, args);
    }

    /** A server that speaks only TLS, with the given PEM certificate and key. */
    static PrivateRedisServer startTls(Path cert, Path key) throws IOException, InterruptedException {
        int port = freePort();
        return launch(port, List.of("--port", "0", "--tls-port", Integer.toString(port),
                "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
                "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no"));
    }

    /** A Sentinel (redis-server --sentinel) watching {@code master} as {@code masterName}; its config goes in dir. */
    static PrivateRedisServer startSentinel(PrivateRedisServer master, String masterName, Path dir)
            throws IOException, InterruptedException {
        int port = freePort();
        Path config = dir.resolve("sentinel-" + port + ".conf");
        Files.writeString(config, "port " + port + "\nbind 127.0.0.1\nsentinel monitor " + masterName
                + " 127.0.0.1 " + master.port() + " 1\n");
        return launch(port, List.of(config.toString(), "--sentinel"));
    }

    private static PrivateRedisServer launch(int port, List<String> args) throws IOException, InterruptedException {
        String binary = findOnPath("redis-server");
        List<String> command = new ArrayList<>();
        command.add(binary);
        boolean configFile = !args.isEmpty() && !args.get(0).startsWith("--");
        if (configFile) {
            command.add(args.get(0));
        }
        command.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"));
        command.addAll(configFile ? args.subList(1, args.size()) : args);
        PrivateRedisServer server = new PrivateRedisServer(port, command, spawn(command));
        server.awaitListening();
        return server;
    }

    private static Process spawn(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Kills the server (SIGKILL: no goodbye to clients), then starts it again, empty, on the same port. */
    void restart() throws IOException, InterruptedException {
        kill();
        process = spawn(command);
        awaitListening();
    }

    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + command);
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        close();
        throw new IllegalStateException("redis-server did not listen on port " + port + " within 10 s");
    }

    private static String findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(name + " is not on PATH: these integration tests start a private Redis "
                + "server (install the redis-server package; it is installed on CI)");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    SyncEngineConfig.Builder config() {
        return SyncEngineConfig.builder().redisUrl(url()).redisPrefix("tcp:").redisTimeoutMs(2_000)
                .redisResponseTimeoutMs(2_000);
    }

    /** SIGSTOP: the server keeps its connections but answers nothing until {@link #resume()}. */
    void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " exited with " + exit);
        }
    }

    @Override
    public void close() {
        try {
            resume();
        } catch (IOException | InterruptedException | IllegalStateException ignored) {
            // best effort: a stopped process would not die from SIGTERM until continued
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
