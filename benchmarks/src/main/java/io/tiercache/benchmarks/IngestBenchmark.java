package io.tiercache.benchmarks;

import io.tiercache.engine.Durability;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.sql.MySqlDialect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Rows per millisecond written into MariaDB: through the engine (a batch submitted at DURABLE, acknowledged when the
 * L3 transaction committed) against a raw JDBC batch insert of the same rows into the same table, in one run.
 * Target: the engine at least 0.5x raw JDBC.
 *
 * <p>Run: {@code benchmarks/run.sh IngestBenchmark} (needs MariaDB on 127.0.0.1:3306, root without password).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(1)
public class IngestBenchmark {
    private static final int BATCH = 1000;
    private static final String DATABASE = "tiercache_bench_ingest";

    @Param({"engine", "jdbc"})
    public String writer;

    private SyncEngine engine;
    private Connection connection;
    private PreparedStatement insert;
    private Path dataDir;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchServers.recreateDatabase(DATABASE);
        if (writer.equals("engine")) {
            dataDir = Files.createTempDirectory("tiercache-ingest");
            engine = SyncEngine.start(SyncEngineConfig.builder().dataDir(dataDir)
                    .sqlUrl(BenchServers.MYSQL_SERVER + DATABASE).sqlUsername("root").build());
        } else {
            connection = BenchServers.connect(DATABASE);
            try (Statement s = connection.createStatement()) {
                for (String ddl : new MySqlDialect().schemaStatements()) {
                    s.execute(ddl);
                }
            }
            connection.setAutoCommit(false);
            insert = connection.prepareStatement("INSERT INTO sync_items (id, version, content_hash, content_type, "
                    + "state, payload_json, payload_blob, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (engine != null) {
            engine.shutdown();
        }
        if (connection != null) {
            connection.close();
        }
        BenchServers.deleteFolder(dataDir);
        BenchServers.dropDatabase(DATABASE);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void ingest() throws Exception {
        Map<String, byte[]> batch = new LinkedHashMap<>(BATCH * 2);
        for (int i = 0; i < BATCH; i++) {
            long n = next++;
            batch.put("ingest/" + n, ("{\"id\":" + n + ",\"name\":\"customer " + n + "\",\"plan\":\"pro\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        if (engine != null) {
            engine.submitMany(batch, SubmitOptions.defaults().withDurability(Durability.DURABLE)).join();
            return;
        }
        long now = System.currentTimeMillis();
        for (Map.Entry<String, byte[]> row : batch.entrySet()) {
            // The same row the engine would store, hash included, so both sides write identical bytes.
            SyncItem item = SyncItem.create(row.getKey(), row.getValue(), now, SyncItem.DEFAULT_STATE, 0, now);
            insert.setString(1, item.id());
            insert.setLong(2, item.version());
            insert.setString(3, item.contentHash());
            insert.setString(4, item.contentType().name());
            insert.setString(5, item.state());
            insert.setString(6, item.contentAsJson().orElseThrow());
            insert.setNull(7, Types.BLOB);
            insert.setNull(8, Types.BIGINT);
            insert.setLong(9, now);
            insert.addBatch();
        }
        insert.executeBatch();
        connection.commit();
    }
}
