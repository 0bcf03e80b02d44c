package io.tiercache.engine.chaos;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A MariaDB server of the test's own, on a free loopback port with a temporary data folder, that a chaos test may
 * kill -9 and restart. The machine's shared server on 3306 is never touched.
 */
public final class PrivateMariaDb implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process process;

    private PrivateMariaDb(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Initializes a data folder and starts the server; fails with a clear message if MariaDB is not installed. */
    public static PrivateMariaDb start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tiercache-mariadb");
        PrivateMariaDb server = new PrivateMariaDb(dir, freePort());
        server.run(List.of(executable("mariadb-install-db"), "--no-defaults", "--datadir=" + dir.resolve("data"), "--user="
                + System.getProperty("user.name"), "--auth-root-authentication-method=normal", "--skip-test-db"));
        server.startServer();
        return server;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates a database (the engine's L3 lives in one). */
    public void createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + name);
        }
    }

    /** SIGKILL: no shutdown, no flush, exactly what a crash does. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: connections stay open but nothing answers, like a hung host or a partition. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Starts the server again on the same data folder and port (crash recovery included). */
    public void restart() throws IOException, InterruptedException {
        startServer();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws IOException {
        if (isRunning()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    private void startServer() throws IOException, InterruptedException {
        process = new ProcessBuilder(executable("mariadbd"), "--no-defaults", "--datadir=" + dir.resolve("data"),
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                "--pid-file=" + dir.resolve("mysqld.pid"), "--user=" + System.getProperty("user.name"),
                "--innodb-buffer-pool-size=32M", "--log-error=" + dir.resolve("error.log"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mariadbd exited with " + process.exitValue() + "; see "
                        + dir.resolve("error.log") + ": " + tail(dir.resolve("error.log")));
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", "")) {
                if (c.isValid(1)) {
                    return;
                }
            } catch (SQLException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("mariadbd did not accept connections on port " + port + " within 60 s");
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("install.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command.get(0) + " failed: " + tail(dir.resolve("install.log")));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** The program's path, searched on PATH and in the sbin folders servers install to. */
    static String executable(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/usr/local/sbin";
        for (String folder : path.split(File.pathSeparator)) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, program))) {
                return Path.of(folder, program).toString();
            }
        }
        throw new IllegalStateException(program + " is not installed; run scripts/services.sh (it installs "
                + "MariaDB and Redis) before the chaos tests");
    }
}
