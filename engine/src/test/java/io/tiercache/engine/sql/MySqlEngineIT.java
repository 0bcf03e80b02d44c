package io.tiercache.engine.sql;

import io.tiercache.engine.ContentType;
import io.tiercache.engine.Durability;
import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine with MariaDB as L3: the local server, a database of its own per test. */
class MySqlEngineIT {
    @TempDir
    Path dir;
    private MariaDbDatabase database;

    @BeforeEach
    void createDatabase() throws Exception {
        database = new MariaDbDatabase();
    }

    @AfterEach
    void dropDatabase() throws Exception {
        database.close();
    }

    private SyncEngineConfig config() {
        return SyncEngineConfig.builder().dataDir(dir).sqlUrl(database.jdbcUrl()).sqlUsername("root").build();
    }

    @Test
    void itemsSurviveARestartWithExactBytes() throws Exception {
        byte[] json = "{ \"name\" : \"Zoë\", \"n\": [1, 2.50] }".getBytes(StandardCharsets.UTF_8);
        byte[] binary = {0, (byte) 0xff, 0x7f, (byte) 0x80};
        try (SyncEngine engine = SyncEngine.start(config())) {
            engine.submit("docs/1", json).join();
            engine.submitWith("docs/2", binary, SubmitOptions.defaults().withState("raw")
                    .withDurability(Durability.DURABLE)).join();
            engine.submit("docs/empty", new byte[0]).join();
        }
        try (SyncEngine engine = SyncEngine.start(config())) {
            SyncItem doc = engine.getVerified("docs/1").orElseThrow();
            assertThat(doc.payload()).isEqualTo(json);
            assertThat(doc.contentType()).isEqualTo(ContentType.JSON);
            assertThat(engine.getVerified("docs/2").orElseThrow().payload()).isEqualTo(binary);
            assertThat(engine.getVerified("docs/empty").orElseThrow().payload()).isEmpty();
            assertThat(engine.countByState("raw")).isEqualTo(1);
            assertThat(engine.countPrefix("docs/")).isEqualTo(3);
        }
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT JSON_VALUE(payload_json, '$.name') FROM sync_items WHERE id = 'docs/1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Zoë");
        }
    }

    @Test
    void prefixesAreLiteralAndCaseSensitive() {
        try (SyncEngine engine = SyncEngine.start(config())) {
            for (String id : List.of("a%b/1", "axb/1", "a_b/1", "aXb/1", "A%b/1", "a!b/1", "a\\b/1")) {
                engine.submit(id, id.getBytes(StandardCharsets.UTF_8));
            }
            engine.forceFlush().join();
            assertThat(engine.scanPrefix("a%b/", 10)).extracting(SyncItem::id).containsExactly("a%b/1");
            assertThat(engine.scanPrefix("a_b/", 10)).extracting(SyncItem::id).containsExactly("a_b/1");
            assertThat(engine.scanPrefix("a!b/", 10)).extracting(SyncItem::id).containsExactly("a!b/1");
            assertThat(engine.scanPrefix("a\\b/", 10)).extracting(SyncItem::id).containsExactly("a\\b/1");
            assertThat(engine.countPrefix("a")).isEqualTo(6);
        }
    }

    @Test
    void anOlderVersionNeverOverwritesANewerOne() throws Exception {
        try (SqlTier tier = SqlTiers.open(config())) {
            SyncItem newer = SyncItem.create("v/1", "new".getBytes(StandardCharsets.UTF_8), 20, "default", 0, 1);
            SyncItem older = SyncItem.create("v/1", "old".getBytes(StandardCharsets.UTF_8), 10, "stale", 0, 1);
            tier.apply(List.of(new TierWrite.Upsert(newer)));
            tier.apply(List.of(new TierWrite.Upsert(older), new TierWrite.Delete("v/1", 15)));
            SyncItem stored = tier.get("v/1").orElseThrow();
            assertThat(stored.version()).isEqualTo(20);
            assertThat(stored.state()).isEqualTo("default");
            assertThat(new String(stored.payload(), StandardCharsets.UTF_8)).isEqualTo("new");
            tier.apply(List.of(new TierWrite.Delete("v/1", 21)));
            assertThat(tier.get("v/1")).isEmpty();
        }
    }

    @Test
    void batchesOfThousandsLandInOneFlush() {
        try (SyncEngine engine = SyncEngine.start(config())) {
            Map<String, byte[]> items = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 5000; i++) {
                items.put("bulk/" + i, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            engine.submitMany(items, SubmitOptions.defaults().withDurability(Durability.DURABLE)).join();
            assertThat(engine.countPrefix("bulk/")).isEqualTo(5000);
            assertThat(engine.getMany(items.keySet())).hasSize(5000);
        }
    }
}
