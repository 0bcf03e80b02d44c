package io.tiercache.engine;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A row changed in L3 behind the engine's back is detected by its hash and never served. */
class CorruptionTest extends EngineTestSupport {

    @BeforeEach
    void storeItems() {
        start(config().build());
        engine.submit("json/1", bytes("{\"amount\":100}")).join();
        engine.submit("bin/1", new byte[]{1, 2, 3}).join();
        engine.submit("ok/1", bytes("fine")).join();
        engine.forceFlush().join();
    }

    private void tamper(String sql, Object value, String id) throws Exception {
        try (Connection c = openL3(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, value);
            ps.setString(2, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        engine.clearL1();
    }

    @Test
    void anAlteredJsonPayloadIsReportedAsCorrupt() throws Exception {
        tamper("UPDATE sync_items SET payload_json = ? WHERE id = ?", "{\"amount\":999}", "json/1");
        assertThatThrownBy(() -> engine.getVerified("json/1")).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("json/1");
        assertThatThrownBy(() -> engine.get("json/1")).isInstanceOf(CorruptionException.class);
        assertThat(engine.get("ok/1")).isPresent();
    }

    @Test
    void anAlteredBlobIsReportedAsCorrupt() throws Exception {
        tamper("UPDATE sync_items SET payload_blob = ? WHERE id = ?", new byte[]{1, 2, 4}, "bin/1");
        assertThatThrownBy(() -> engine.getVerified("bin/1")).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("bin/1");
        assertThatThrownBy(() -> engine.get("bin/1")).isInstanceOf(CorruptionException.class);
        assertThatThrownBy(() -> engine.getMany(List.of("bin/1", "ok/1"))).isInstanceOf(CorruptionException.class);
    }

    @Test
    void anAlteredHashIsReportedAsCorrupt() throws Exception {
        tamper("UPDATE sync_items SET content_hash = ? WHERE id = ?", "0".repeat(64), "bin/1");
        assertThatThrownBy(() -> engine.getVerified("bin/1")).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("bin/1");
    }

    @Test
    void aRowWithAnUnreadableStateIsReportedAsCorrupt() throws Exception {
        tamper("UPDATE sync_items SET state = ? WHERE id = ?", "bad\nstate", "bin/1");
        assertThatThrownBy(() -> engine.getVerified("bin/1")).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("bin/1");
    }

    @Test
    void theCorruptBytesAreNeverCachedOrServed() throws Exception {
        tamper("UPDATE sync_items SET payload_blob = ? WHERE id = ?", new byte[]{9, 9, 9}, "bin/1");
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> engine.get("bin/1")).isInstanceOf(CorruptionException.class);
        }
        assertThat(engine.stats().l1Items()).isZero();
    }

    @Test
    void scansNeverServeACorruptRowEither() throws Exception {
        tamper("UPDATE sync_items SET payload_blob = ? WHERE id = ?", new byte[]{9, 9, 9}, "bin/1");
        assertThatThrownBy(() -> engine.scanPrefix("bin/", 10)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("bin/1");
        assertThatThrownBy(() -> engine.getByState(SyncItem.DEFAULT_STATE, 10))
                .isInstanceOf(CorruptionException.class);
        assertThat(engine.scanPrefix("ok/", 10)).hasSize(1);
        assertThat(engine.countPrefix("bin/")).isEqualTo(1);
        assertThat(engine.listStateIds(SyncItem.DEFAULT_STATE, 10)).contains("bin/1");
        assertThat(engine.warmUp("")).isEqualTo(2);
    }

    @Test
    void aNewWriteReplacesACorruptRow() throws Exception {
        tamper("UPDATE sync_items SET payload_blob = ? WHERE id = ?", new byte[]{9, 9, 9}, "bin/1");
        engine.submit("bin/1", new byte[]{7}).join();
        engine.forceFlush().join();
        engine.clearL1();
        assertThat(engine.getVerified("bin/1").orElseThrow().payload()).containsExactly(7);
    }

    @Test
    void aCorruptRowCanBeDeleted() throws Exception {
        tamper("UPDATE sync_items SET payload_blob = ? WHERE id = ?", new byte[]{9, 9, 9}, "bin/1");
        assertThat(engine.delete("bin/1").join()).isTrue();
        engine.forceFlush().join();
        engine.clearL1();
        assertThat(engine.get("bin/1")).isEmpty();
    }
}
