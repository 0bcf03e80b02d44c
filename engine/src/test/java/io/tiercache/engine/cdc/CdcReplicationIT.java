package io.tiercache.engine.cdc;

import io.tiercache.engine.SubmitOptions;
import io.tiercache.engine.SyncEngine;
import io.tiercache.engine.SyncEngineConfig;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.merkle.Digest256;
import io.tiercache.engine.merkle.ItemState;
import io.tiercache.engine.merkle.MerkleTree;
import io.tiercache.engine.redis.SharedRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One engine replicated into another through its CDC stream: writes, re-tags and deletes; both merkle roots agree. */
class CdcReplicationIT {
    private static final String REDIS = "redis://127.0.0.1:6379";

    @TempDir
    Path sourceDir;
    @TempDir
    Path replicaDir;
    private final SharedRedis redis = new SharedRedis();
    private final String prefix = redis.prefix();

    @AfterEach
    void removeKeys() throws Exception {
        redis.close();
    }

    @Test
    void aReplicaFedByTheStreamEndsWithTheSameMerkleRoot() throws Exception {
        SyncEngineConfig sourceConfig = SyncEngineConfig.builder().dataDir(sourceDir).redisUrl(REDIS)
                .redisPrefix(prefix).enableCdcStream(true).build();
        try (CdcConsumer consumer = CdcConsumer.open(sourceConfig, "replica", "replica-1");
             SyncEngine source = SyncEngine.start(sourceConfig);
             SyncEngine replica = SyncEngine.start(SyncEngineConfig.builder().dataDir(replicaDir).build())) {
            for (int i = 0; i < 200; i++) {
                byte[] payload = i % 3 == 0 ? new byte[]{(byte) i, 0, (byte) 0xff}
                        : ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                source.submitWith("rep/" + i, payload, SubmitOptions.defaults().withState(i % 2 == 0 ? "even" : "odd"));
            }
            source.forceFlush().join();
            for (int i = 0; i < 50; i++) {
                source.submit("rep/" + i, ("{\"n\":" + i + ",\"v\":2}").getBytes(StandardCharsets.UTF_8));
            }
            source.setState("rep/150", "archived").join();
            for (int i = 170; i < 200; i++) {
                source.delete("rep/" + i);
            }
            source.forceFlush().join();

            int applied = 0;
            int duplicates = 0;
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(1500)) {
                List<CdcEvent> events = consumer.poll(500, Duration.ofMillis(200));
                if (!events.isEmpty()) {
                    quietSince = System.nanoTime();
                }
                for (CdcEvent event : events) {
                    if (!event.deleted() && replica.isCurrent(event.id(), event.contentHash())
                            && replica.get(event.id()).orElseThrow().version() >= event.version()) {
                        duplicates++;
                    } else {
                        replica.applyReplicated(event).join();
                        applied++;
                    }
                }
                consumer.ack(events);
            }
            replica.forceFlush().join();

            assertThat(applied).as("changes applied to the replica").isGreaterThanOrEqualTo(200 + 50 + 1 + 30);
            assertThat(replica.countPrefix("rep/")).isEqualTo(170);
            assertThat(replica.get("rep/180")).isEmpty();
            assertThat(replica.get("rep/150").orElseThrow().state()).isEqualTo("archived");
            Digest256 sourceRoot = source.getMerkleRoot("rep");
            Digest256 replicaRoot = replica.getMerkleRoot("rep");
            System.out.printf("CDC replication: %d changes applied, %d duplicates skipped; roots %s / %s%n",
                    applied, duplicates, sourceRoot, replicaRoot);
            assertThat(replicaRoot).as("the engines' maintained merkle roots").isEqualTo(sourceRoot)
                    .isNotEqualTo(Digest256.ZERO);
            assertThat(sourceRoot).as("the maintained root is the tree of the items")
                    .isEqualTo(treeOf(source).root());
            assertThat(source.isMerkleSynced("rep")).as("the source's L2 agrees with its L3").isTrue();
        }
    }

    private static MerkleTree treeOf(SyncEngine engine) {
        Map<String, ItemState> items = new HashMap<>();
        String after = null;
        while (true) {
            List<SyncItem> page = engine.scanPrefix("rep/", after, 100);
            page.forEach(item -> items.put(item.id(), ItemState.of(item)));
            if (page.size() < 100) {
                return MerkleTree.build(items);
            }
            after = page.get(page.size() - 1).id();
        }
    }

    @Test
    void whatAConsumerDidNotAcknowledgeIsDeliveredToItAgainAfterARestart() {
        SyncEngineConfig config = SyncEngineConfig.builder().dataDir(sourceDir).redisUrl(REDIS).redisPrefix(prefix)
                .enableCdcStream(true).build();
        List<CdcEvent> first;
        try (CdcConsumer consumer = CdcConsumer.open(config, "indexer", "worker-1");
             SyncEngine source = SyncEngine.start(config)) {
            for (int i = 0; i < 10; i++) {
                source.submit("ack/" + i, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            source.forceFlush().join();
            first = consumer.poll(100, Duration.ofMillis(500));
            assertThat(first).hasSize(10);
        }
        try (CdcConsumer restarted = CdcConsumer.open(config, "indexer", "worker-1")) {
            List<CdcEvent> again = restarted.poll(100, Duration.ofMillis(200));
            assertThat(again).extracting(CdcEvent::streamId)
                    .containsExactlyElementsOf(first.stream().map(CdcEvent::streamId).toList());
            restarted.ack(again);
            assertThat(restarted.poll(100, Duration.ofMillis(100))).isEmpty();
        }
    }
}
