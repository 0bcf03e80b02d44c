package io.tiercache.engine;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Every engine setting, immutable and checked when built: a bad value fails {@link Builder#build()} with a message
 * naming the setting, the value and the limit, never later at first use.
 *
 * <p>With nothing set the engine runs on the embedded default: L1 memory plus an SQLite file under
 * {@code ./tiercache-data}, no Redis. Merkle trees are maintained in L3 and L2 with every batch while
 * {@code merkleCalcEnabled} (see {@link SyncEngine#sync}); the cuckoo filter answers misses without asking L3 (see
 * {@link SyncEngine#verifyFilter}).
 *
 * <pre>{@code
 * SyncEngineConfig config = SyncEngineConfig.builder()
 *         .dataDir(Path.of("/var/lib/myapp/cache"))
 *         .l1MaxBytes(64L << 20)
 *         .defaultDurability(Durability.LOCAL_WAL)
 *         .build();
 * }</pre>
 */
public final class SyncEngineConfig {
    public static final long MIB = 1L << 20;

    private final Path dataDir;
    private final long l1MaxBytes;
    private final int maxPayloadBytes;
    private final long batchFlushMs;
    private final int batchFlushCount;
    private final long batchFlushBytes;
    private final double backpressureWarn;
    private final double backpressureCritical;
    private final Path walPath;
    private final long walMaxItems;
    private final int walDrainBatchSize;
    private final int cuckooWarmupBatchSize;
    private final long cfSnapshotIntervalSecs;
    private final long cfSnapshotInsertThreshold;
    private final boolean redisEvictionEnabled;
    private final double redisEvictionStart;
    private final double redisEvictionTarget;
    private final boolean merkleCalcEnabled;
    private final long merkleCalcJitterMs;
    private final long merkleSyncIntervalMs;
    private final boolean enableCdcStream;
    private final long cdcStreamMaxlen;
    private final long redisTimeoutMs;
    private final long redisResponseTimeoutMs;
    private final int sqlWriteConcurrency;
    private final String redisUrl;
    private final String redisPrefix;
    private final boolean sqlEnabled;
    private final String sqlUrl;
    private final String sqlUsername;
    private final String sqlPassword;
    private final Durability defaultDurability;
    private final long sqlRetryBackoffMs;
    private final long sqlTimeoutMs;
    private final long backpressureWaitMs;
    private final long sqlLockTimeoutMs;
    private final TimeSource timeSource;

    private SyncEngineConfig(Builder b) {
        this.dataDir = b.dataDir;
        this.l1MaxBytes = b.l1MaxBytes;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.batchFlushMs = b.batchFlushMs;
        this.batchFlushCount = b.batchFlushCount;
        this.batchFlushBytes = b.batchFlushBytes;
        this.backpressureWarn = b.backpressureWarn;
        this.backpressureCritical = b.backpressureCritical;
        this.walPath = b.walPath != null ? b.walPath : b.dataDir.resolve("wal.db");
        this.walMaxItems = b.walMaxItems;
        this.walDrainBatchSize = b.walDrainBatchSize;
        this.cuckooWarmupBatchSize = b.cuckooWarmupBatchSize;
        this.cfSnapshotIntervalSecs = b.cfSnapshotIntervalSecs;
        this.cfSnapshotInsertThreshold = b.cfSnapshotInsertThreshold;
        this.redisEvictionEnabled = b.redisEvictionEnabled;
        this.redisEvictionStart = b.redisEvictionStart;
        this.redisEvictionTarget = b.redisEvictionTarget;
        this.merkleCalcEnabled = b.merkleCalcEnabled;
        this.merkleCalcJitterMs = b.merkleCalcJitterMs;
        this.merkleSyncIntervalMs = b.merkleSyncIntervalMs;
        this.enableCdcStream = b.enableCdcStream;
        this.cdcStreamMaxlen = b.cdcStreamMaxlen;
        this.redisTimeoutMs = b.redisTimeoutMs;
        this.redisResponseTimeoutMs = b.redisResponseTimeoutMs;
        this.sqlWriteConcurrency = b.sqlWriteConcurrency;
        this.redisUrl = b.redisUrl;
        this.redisPrefix = b.redisPrefix;
        this.sqlEnabled = b.sqlEnabled;
        this.sqlUrl = b.sqlUrl != null ? b.sqlUrl : "jdbc:sqlite:" + b.dataDir.resolve("l3.db");
        this.sqlUsername = b.sqlUsername;
        this.sqlPassword = b.sqlPassword;
        this.defaultDurability = b.defaultDurability;
        this.sqlRetryBackoffMs = b.sqlRetryBackoffMs;
        this.sqlTimeoutMs = b.sqlTimeoutMs;
        this.backpressureWaitMs = b.backpressureWaitMs;
        this.sqlLockTimeoutMs = b.sqlLockTimeoutMs;
        this.timeSource = b.timeSource;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.dataDir = dataDir;
        b.l1MaxBytes = l1MaxBytes;
        b.maxPayloadBytes = maxPayloadBytes;
        b.batchFlushMs = batchFlushMs;
        b.batchFlushCount = batchFlushCount;
        b.batchFlushBytes = batchFlushBytes;
        b.backpressureWarn = backpressureWarn;
        b.backpressureCritical = backpressureCritical;
        b.walPath = walPath;
        b.walMaxItems = walMaxItems;
        b.walDrainBatchSize = walDrainBatchSize;
        b.cuckooWarmupBatchSize = cuckooWarmupBatchSize;
        b.cfSnapshotIntervalSecs = cfSnapshotIntervalSecs;
        b.cfSnapshotInsertThreshold = cfSnapshotInsertThreshold;
        b.redisEvictionEnabled = redisEvictionEnabled;
        b.redisEvictionStart = redisEvictionStart;
        b.redisEvictionTarget = redisEvictionTarget;
        b.merkleCalcEnabled = merkleCalcEnabled;
        b.merkleCalcJitterMs = merkleCalcJitterMs;
        b.merkleSyncIntervalMs = merkleSyncIntervalMs;
        b.enableCdcStream = enableCdcStream;
        b.cdcStreamMaxlen = cdcStreamMaxlen;
        b.redisTimeoutMs = redisTimeoutMs;
        b.redisResponseTimeoutMs = redisResponseTimeoutMs;
        b.sqlWriteConcurrency = sqlWriteConcurrency;
        b.redisUrl = redisUrl;
        b.redisPrefix = redisPrefix;
        b.sqlEnabled = sqlEnabled;
        b.sqlUrl = sqlUrl;
        b.sqlUsername = sqlUsername;
        b.sqlPassword = sqlPassword;
        b.defaultDurability = defaultDurability;
        b.sqlRetryBackoffMs = sqlRetryBackoffMs;
        b.sqlTimeoutMs = sqlTimeoutMs;
        b.backpressureWaitMs = backpressureWaitMs;
        b.sqlLockTimeoutMs = sqlLockTimeoutMs;
        b.timeSource = timeSource;
        return b;
    }

    /** Folder for the embedded SQLite ground truth and the local WAL. Default {@code ./tiercache-data}. */
    public Path dataDir() {
        return dataDir;
    }

    /** Byte budget of L1 memory (payloads plus per-item overhead). Default 256 MiB. */
    public long l1MaxBytes() {
        return l1MaxBytes;
    }

    /** Largest payload accepted. Default 16 MiB. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** Longest a queued write waits before its batch is flushed. Default 100 ms. */
    public long batchFlushMs() {
        return batchFlushMs;
    }

    /** Queued writes that trigger a flush. Default 1000. */
    public int batchFlushCount() {
        return batchFlushCount;
    }

    /** Queued payload bytes that trigger a flush. Default 1 MiB. */
    public long batchFlushBytes() {
        return batchFlushBytes;
    }

    /** Memory pressure at which the engine warns and shrinks L1. Default 0.7. */
    public double backpressureWarn() {
        return backpressureWarn;
    }

    /** Memory pressure at which writes are refused. Default 0.9. */
    public double backpressureCritical() {
        return backpressureCritical;
    }

    /**
     * How long a write waits at CRITICAL memory pressure for the flusher to make room before it is refused with a
     * BackpressureException (a burst then slows writers down instead of failing them). 0 refuses at once. Default
     * 1000 ms.
     */
    public long backpressureWaitMs() {
        return backpressureWaitMs;
    }

    /** Local write-ahead log file (SQLite). Default {@code <dataDir>/wal.db}. */
    public Path walPath() {
        return walPath;
    }

    /** WAL entries beyond which writes that need the WAL are refused with backpressure. Default 1,000,000. */
    public long walMaxItems() {
        return walMaxItems;
    }

    /** WAL entries replayed into L3 per transaction while draining. Default 100. */
    public int walDrainBatchSize() {
        return walDrainBatchSize;
    }

    /** L3 ids read per page when the existence (cuckoo) filter is rebuilt or verified. Default 10,000. */
    public int cuckooWarmupBatchSize() {
        return cuckooWarmupBatchSize;
    }

    /** Seconds between existence (cuckoo) filter snapshots to the local WAL database. Default 30. */
    public long cfSnapshotIntervalSecs() {
        return cfSnapshotIntervalSecs;
    }

    /** Inserts into the existence (cuckoo) filter that trigger a snapshot before the interval. Default 10,000. */
    public long cfSnapshotInsertThreshold() {
        return cfSnapshotInsertThreshold;
    }

    /** Whether the engine evicts cache-only items from Redis before Redis's own LRU does (L2). Default true. */
    public boolean redisEvictionEnabled() {
        return redisEvictionEnabled;
    }

    /** Share of Redis maxmemory at which proactive eviction starts (L2). Default 0.75. */
    public double redisEvictionStart() {
        return redisEvictionStart;
    }

    /** Share of Redis maxmemory proactive eviction brings usage down to (L2). Default 0.60. */
    public double redisEvictionTarget() {
        return redisEvictionTarget;
    }

    /**
     * Whether L3 and L2 maintain per-namespace merkle trees in the same batch as the writes they describe. Off: no
     * tree work at all on the write path, and {@link SyncEngine#sync} and the merkle API refuse. All nodes sharing
     * the tiers must agree on it. Default true.
     */
    public boolean merkleCalcEnabled() {
        return merkleCalcEnabled;
    }

    /**
     * Largest random delay added before a background reconciliation (scheduled, or after L2 recovered), so nodes
     * that share the tiers do not all walk the same trees at the same moment. Default 0 ms.
     */
    public long merkleCalcJitterMs() {
        return merkleCalcJitterMs;
    }

    /**
     * Period of the background reconciliation of L2 with L3 ({@link SyncEngine#sync}), 0 to run it only at start,
     * after L2 recovers and on demand. A run whose trees agree costs one root read per namespace and tier. Default
     * 600,000 ms (10 minutes).
     */
    public long merkleSyncIntervalMs() {
        return merkleSyncIntervalMs;
    }

    /** Whether every applied change is appended to a Redis Stream (CDC). Default false. */
    public boolean enableCdcStream() {
        return enableCdcStream;
    }

    /** Approximate length the CDC stream is trimmed to. Default 100,000. */
    public long cdcStreamMaxlen() {
        return cdcStreamMaxlen;
    }

    /** Redis connect timeout. Default 5000 ms. */
    public long redisTimeoutMs() {
        return redisTimeoutMs;
    }

    /** Redis command response timeout. Default 5000 ms. */
    public long redisResponseTimeoutMs() {
        return redisResponseTimeoutMs;
    }

    /** Parallel SQL writers for batches (an embedded SQLite file always has one). Default 4. */
    public int sqlWriteConcurrency() {
        return sqlWriteConcurrency;
    }

    /**
     * Redis URL for L2, or null when there is no L2. User and password go in the URL ({@code user:password@}, or
     * {@code :password@} for the default user).
     * <ul>
     *   <li>{@code redis://host:port[/db]}: one server; {@code rediss://...}: the same over TLS
     *       ({@code ?verifyPeer=NONE} accepts a self-signed certificate).</li>
     *   <li>{@code redis-sentinel://host:port[,host:port]/[db]#master}: the master Sentinel names.</li>
     *   <li>{@code redis-cluster://host:port[,host:port...]}: a Redis Cluster, found from any of these seed nodes
     *       (one that answers is enough; the client learns the rest and follows failovers and resharding);
     *       {@code rediss-cluster://...} over TLS. A cluster has only database 0; a Sentinel master name
     *       ({@code #master}) is refused, since a cluster fails over by itself. Each namespace of ids lives in one
     *       slot, so namespaces spread over the masters while each one's keys stay together.</li>
     * </ul>
     * Several hosts in a {@code redis://} URL are refused: say whether they form a cluster or a Sentinel set.
     */
    public String redisUrl() {
        return redisUrl;
    }

    /** Prefix of every Redis key the engine writes. Default {@code tc:}. */
    public String redisPrefix() {
        return redisPrefix;
    }

    /** Whether an L3 SQL tier runs. Default true; false gives an L1-only (or L1 + L2) engine. */
    public boolean sqlEnabled() {
        return sqlEnabled;
    }

    /** JDBC URL of L3. Default {@code jdbc:sqlite:<dataDir>/l3.db}. */
    public String sqlUrl() {
        return sqlUrl;
    }

    public String sqlUsername() {
        return sqlUsername;
    }

    public String sqlPassword() {
        return sqlPassword;
    }

    /** Durability of writes that do not ask for one. Default {@link Durability#MEMORY}. */
    public Durability defaultDurability() {
        return defaultDurability;
    }

    /** How long L3 is left alone after a failure before the engine tries it again. Default 500 ms. */
    public long sqlRetryBackoffMs() {
        return sqlRetryBackoffMs;
    }

    /**
     * Longest wait for an SQL server connection, and for the answer to a read (a write batch may take three times
     * this before it counts as failed).
     * Default 5000 ms.
     */
    public long sqlTimeoutMs() {
        return sqlTimeoutMs;
    }

    /**
     * How long an embedded SQLite L3 waits for another process's write lock before the batch counts as failed and
     * goes to the WAL. Default 10,000 ms.
     */
    public long sqlLockTimeoutMs() {
        return sqlLockTimeoutMs;
    }

    public TimeSource timeSource() {
        return timeSource;
    }

    @Override
    public String toString() {
        return "SyncEngineConfig{dataDir=" + dataDir + ", l1MaxBytes=" + l1MaxBytes + ", sql="
                + (sqlEnabled ? redactedSqlUrl() : "off") + ", redis=" + (redisUrl == null ? "off" : "on")
                + ", durability=" + defaultDurability + ", batch=" + batchFlushCount + "/" + batchFlushBytes + "B/"
                + batchFlushMs + "ms}";
    }

    private String redactedSqlUrl() {
        return redact(sqlUrl);
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** Collects settings; {@link #build()} checks them all. */
    public static final class Builder {
        private Path dataDir = Path.of("tiercache-data");
        private long l1MaxBytes = 256 * MIB;
        private int maxPayloadBytes = (int) (16 * MIB);
        private long batchFlushMs = 100;
        private int batchFlushCount = 1000;
        private long batchFlushBytes = MIB;
        private double backpressureWarn = 0.7;
        private double backpressureCritical = 0.9;
        private Path walPath;
        private long walMaxItems = 1_000_000;
        private int walDrainBatchSize = 100;
        private int cuckooWarmupBatchSize = 10_000;
        private long cfSnapshotIntervalSecs = 30;
        private long cfSnapshotInsertThreshold = 10_000;
        private boolean redisEvictionEnabled = true;
        private double redisEvictionStart = 0.75;
        private double redisEvictionTarget = 0.60;
        private boolean merkleCalcEnabled = true;
        private long merkleCalcJitterMs = 0;
        private long merkleSyncIntervalMs = 600_000;
        private boolean enableCdcStream = false;
        private long cdcStreamMaxlen = 100_000;
        private long redisTimeoutMs = 5000;
        private long redisResponseTimeoutMs = 5000;
        private int sqlWriteConcurrency = 4;
        private String redisUrl;
        private String redisPrefix = "tc:";
        private boolean sqlEnabled = true;
        private String sqlUrl;
        private String sqlUsername;
        private String sqlPassword;
        private Durability defaultDurability = Durability.MEMORY;
        private long sqlRetryBackoffMs = 500;
        private long sqlTimeoutMs = 5000;
        private long backpressureWaitMs = 1000;
        private long sqlLockTimeoutMs = 10_000;
        private TimeSource timeSource = TimeSource.system();

        private Builder() {
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = requireNonNull("dataDir", dataDir);
            return this;
        }

        public Builder l1MaxBytes(long bytes) {
            this.l1MaxBytes = bytes;
            return this;
        }

        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        public Builder batchFlushMs(long millis) {
            this.batchFlushMs = millis;
            return this;
        }

        public Builder batchFlushCount(int count) {
            this.batchFlushCount = count;
            return this;
        }

        public Builder batchFlushBytes(long bytes) {
            this.batchFlushBytes = bytes;
            return this;
        }

        public Builder backpressureWarn(double ratio) {
            this.backpressureWarn = ratio;
            return this;
        }

        public Builder backpressureCritical(double ratio) {
            this.backpressureCritical = ratio;
            return this;
        }

        public Builder walPath(Path path) {
            this.walPath = path;
            return this;
        }

        public Builder walMaxItems(long items) {
            this.walMaxItems = items;
            return this;
        }

        public Builder walDrainBatchSize(int size) {
            this.walDrainBatchSize = size;
            return this;
        }

        public Builder cuckooWarmupBatchSize(int size) {
            this.cuckooWarmupBatchSize = size;
            return this;
        }

        public Builder cfSnapshotIntervalSecs(long seconds) {
            this.cfSnapshotIntervalSecs = seconds;
            return this;
        }

        public Builder cfSnapshotInsertThreshold(long inserts) {
            this.cfSnapshotInsertThreshold = inserts;
            return this;
        }

        public Builder redisEvictionEnabled(boolean enabled) {
            this.redisEvictionEnabled = enabled;
            return this;
        }

        public Builder redisEvictionStart(double ratio) {
            this.redisEvictionStart = ratio;
            return this;
        }

        public Builder redisEvictionTarget(double ratio) {
            this.redisEvictionTarget = ratio;
            return this;
        }

        public Builder merkleCalcEnabled(boolean enabled) {
            this.merkleCalcEnabled = enabled;
            return this;
        }

        public Builder merkleCalcJitterMs(long millis) {
            this.merkleCalcJitterMs = millis;
            return this;
        }

        public Builder merkleSyncIntervalMs(long millis) {
            this.merkleSyncIntervalMs = millis;
            return this;
        }

        public Builder enableCdcStream(boolean enabled) {
            this.enableCdcStream = enabled;
            return this;
        }

        public Builder cdcStreamMaxlen(long maxlen) {
            this.cdcStreamMaxlen = maxlen;
            return this;
        }

        public Builder redisTimeoutMs(long millis) {
            this.redisTimeoutMs = millis;
            return this;
        }

        public Builder redisResponseTimeoutMs(long millis) {
            this.redisResponseTimeoutMs = millis;
            return this;
        }

        public Builder sqlWriteConcurrency(int writers) {
            this.sqlWriteConcurrency = writers;
            return this;
        }

        public Builder redisUrl(String url) {
            this.redisUrl = url;
            return this;
        }

        public Builder redisPrefix(String prefix) {
            this.redisPrefix = prefix;
            return this;
        }

        public Builder sqlEnabled(boolean enabled) {
            this.sqlEnabled = enabled;
            return this;
        }

        public Builder sqlUrl(String url) {
            this.sqlUrl = url;
            return this;
        }

        public Builder sqlUsername(String username) {
            this.sqlUsername = username;
            return this;
        }

        public Builder sqlPassword(String password) {
            this.sqlPassword = password;
            return this;
        }

        public Builder defaultDurability(Durability durability) {
            this.defaultDurability = requireNonNull("defaultDurability", durability);
            return this;
        }

        public Builder sqlRetryBackoffMs(long millis) {
            this.sqlRetryBackoffMs = millis;
            return this;
        }

        public Builder backpressureWaitMs(long millis) {
            this.backpressureWaitMs = millis;
            return this;
        }

        public Builder sqlTimeoutMs(long millis) {
            this.sqlTimeoutMs = millis;
            return this;
        }

        public Builder sqlLockTimeoutMs(long millis) {
            this.sqlLockTimeoutMs = millis;
            return this;
        }

        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = requireNonNull("timeSource", timeSource);
            return this;
        }

        /** Checks every setting and freezes them; the message names the first bad one. */
        public SyncEngineConfig build() {
            atLeast("l1MaxBytes", l1MaxBytes, 64 * 1024);
            atLeast("maxPayloadBytes", maxPayloadBytes, 1);
            range("batchFlushMs", batchFlushMs, 1, 3_600_000);
            range("batchFlushCount", batchFlushCount, 1, 1_000_000);
            atLeast("batchFlushBytes", batchFlushBytes, 1);
            if (batchFlushBytes > l1MaxBytes) {
                throw new IllegalArgumentException("batchFlushBytes (" + batchFlushBytes
                        + ") must not exceed l1MaxBytes (" + l1MaxBytes + "): queued writes live in L1's budget");
            }
            ratio("backpressureWarn", backpressureWarn);
            ratio("backpressureCritical", backpressureCritical);
            if (backpressureWarn >= backpressureCritical) {
                throw new IllegalArgumentException("backpressureWarn (" + backpressureWarn
                        + ") must be below backpressureCritical (" + backpressureCritical + ")");
            }
            atLeast("walMaxItems", walMaxItems, 1);
            range("walDrainBatchSize", walDrainBatchSize, 1, 100_000);
            range("cuckooWarmupBatchSize", cuckooWarmupBatchSize, 1, 10_000_000);
            atLeast("cfSnapshotIntervalSecs", cfSnapshotIntervalSecs, 1);
            atLeast("cfSnapshotInsertThreshold", cfSnapshotInsertThreshold, 1);
            ratio("redisEvictionStart", redisEvictionStart);
            ratio("redisEvictionTarget", redisEvictionTarget);
            if (redisEvictionTarget >= redisEvictionStart) {
                throw new IllegalArgumentException("redisEvictionTarget (" + redisEvictionTarget
                        + ") must be below redisEvictionStart (" + redisEvictionStart + ")");
            }
            range("merkleCalcJitterMs", merkleCalcJitterMs, 0, 3_600_000);
            range("merkleSyncIntervalMs", merkleSyncIntervalMs, 0, 86_400_000);
            atLeast("cdcStreamMaxlen", cdcStreamMaxlen, 1);
            range("redisTimeoutMs", redisTimeoutMs, 1, 600_000);
            range("redisResponseTimeoutMs", redisResponseTimeoutMs, 1, 600_000);
            range("sqlWriteConcurrency", sqlWriteConcurrency, 1, 64);
            range("sqlRetryBackoffMs", sqlRetryBackoffMs, 1, 600_000);
            range("sqlTimeoutMs", sqlTimeoutMs, 250, 600_000);
            range("backpressureWaitMs", backpressureWaitMs, 0, 60_000);
            range("sqlLockTimeoutMs", sqlLockTimeoutMs, 0, 600_000);
            if (redisUrl != null && !redisUrl.toLowerCase(Locale.ROOT)
                    .matches("^(redis|rediss|redis-sentinel|redis-cluster|rediss-cluster)://.+")) {
                throw new IllegalArgumentException("redisUrl '" + redisUrl + "' must start with redis://, rediss://, "
                        + "redis-sentinel://, redis-cluster:// or rediss-cluster://");
            }
            if (redisPrefix == null || redisPrefix.length() > 64 || redisPrefix.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("redisPrefix must be 0..64 printable characters, got '"
                        + redisPrefix + "'");
            }
            if (sqlUrl != null && !sqlUrl.matches("^jdbc:(sqlite|mysql|mariadb):.+")) {
                throw new IllegalArgumentException("sqlUrl '" + redact(sqlUrl)
                        + "' must start with jdbc:sqlite:, jdbc:mysql: or jdbc:mariadb:");
            }
            if (!sqlEnabled && defaultDurability != Durability.MEMORY) {
                throw new IllegalArgumentException("defaultDurability " + defaultDurability
                        + " needs an L3 tier and its local WAL, but sqlEnabled is false; use MEMORY or enable SQL");
            }
            return new SyncEngineConfig(this);
        }

        /** A missing value is a bad setting like any other: it fails with the same kind of message. */
        private static <T> T requireNonNull(String name, T value) {
            if (value == null) {
                throw new IllegalArgumentException(name + " must not be null");
            }
            return value;
        }

        private static void atLeast(String name, long value, long min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
            }
        }

        private static void range(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
            }
        }

        private static void ratio(String name, double value) {
            if (!(value > 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException(name + " must be a ratio in (0, 1], got " + value);
            }
        }
    }
}
