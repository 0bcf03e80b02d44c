package io.tiercache.engine.redis;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.tiercache.engine.SyncItem;
import io.tiercache.engine.TimeSource;
import io.tiercache.engine.tier.TierWrite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batches cost one round trip, counted on the client as flushes of the tier's sockets: a netty handler sees every
 * flush Lettuce makes, and a pipeline that waited for an answer midway would need a second one.
 */
class RedisTierPipeliningIT {
    private static PrivateRedisServer server;
    private final AtomicInteger flushes = new AtomicInteger();

    @BeforeAll
    static void startServer() throws Exception {
        server = PrivateRedisServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private RedisTier openCounting() throws Exception {
        String prefix = "pipe" + System.nanoTime() + ":";
        return RedisTier.open(server.config().redisPrefix(prefix).build(), TimeSource.system(), resources -> resources
                .nettyCustomizer(new NettyCustomizer() {
                    @Override
                    public void afterChannelInitialized(Channel channel) {
                        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void flush(ChannelHandlerContext ctx) throws Exception {
                                flushes.incrementAndGet();
                                super.flush(ctx);
                            }
                        });
                    }
                }));
    }

    private static List<TierWrite> writes(int count) {
        List<TierWrite> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = (i % 3 == 0 ? "root-" : "ns" + (i % 3) + "/") + i;
            writes.add(i % 10 == 9 ? new TierWrite.Delete(id, 5) : new TierWrite.Upsert(SyncItem.create(id,
                    ("p" + i).getBytes(StandardCharsets.UTF_8), 4, "default", SyncItem.NO_EXPIRY, 1L)));
        }
        return writes;
    }

    @Test
    void aBatchOfAThousandWritesIsOneFlushOfOnePipeline() throws Exception {
        try (RedisTier tier = openCounting()) {
            tier.ping();
            List<TierWrite> batch = writes(1000);
            int before = flushes.get();
            tier.apply(batch);
            assertThat(flushes.get() - before).as("socket flushes for one batch").isEqualTo(1);
            assertThat(tier.size()).isEqualTo(900);
            assertThat(tier.get("ns2/998").orElseThrow().version()).isEqualTo(4);
        }
    }

    @Test
    void getManyOfAThousandIdsIsOneFlushAndGetIsOneCommand() throws Exception {
        try (RedisTier tier = openCounting()) {
            tier.apply(writes(1000));
            List<String> ids = writes(1000).stream().map(TierWrite::id).toList();
            int before = flushes.get();
            assertThat(tier.getMany(ids)).hasSize(900);
            assertThat(flushes.get() - before).isEqualTo(1);

            before = flushes.get();
            assertThat(tier.get("ns1/1")).isPresent();
            assertThat(flushes.get() - before).isEqualTo(1);
        }
    }

    @Test
    void afterTheScriptCacheIsFlushedWritesLoadTheScriptsAgain() throws Exception {
        try (RedisTier tier = openCounting();
             var client = io.lettuce.core.RedisClient.create(server.url());
             var connection = client.connect()) {
            connection.sync().scriptFlush();
            tier.apply(writes(50));
            assertThat(tier.get("ns1/1")).isPresent();
            assertThat(tier.idsByPrefix("ns1/", null, 100, System.currentTimeMillis())).hasSize(15);
        }
    }
}
