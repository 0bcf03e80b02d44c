package io.tiercache.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SubmitOptionsTest {

    @Test
    void defaultsGoEverywhereWithNoTtlAndTheEngineDurability() {
        SubmitOptions defaults = SubmitOptions.defaults();
        assertThat(defaults.sharedTiers()).containsExactlyInAnyOrder(Tier.L2, Tier.L3);
        assertThat(defaults.ttl()).isNull();
        assertThat(defaults.durability()).isNull();
        assertThat(defaults.state()).isEqualTo(SyncItem.DEFAULT_STATE);
        assertThat(defaults.writesTo(Tier.L1)).isTrue();
    }

    @Test
    void cacheAndDurableRouteToOneSharedTier() {
        assertThat(SubmitOptions.cache(Duration.ofSeconds(5)).sharedTiers()).containsExactly(Tier.L2);
        assertThat(SubmitOptions.cache(Duration.ofSeconds(5)).ttl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(SubmitOptions.durable().sharedTiers()).containsExactly(Tier.L3);
        assertThat(SubmitOptions.durable().writesTo(Tier.L2)).isFalse();
        assertThat(SubmitOptions.defaults().routedTo(Tier.L1).sharedTiers()).isEmpty();
    }

    @Test
    void withersKeepTheOtherSettings() {
        SubmitOptions options = SubmitOptions.durable().withState("paid").withTtl(Duration.ofMinutes(1))
                .withDurability(Durability.DURABLE);
        assertThat(options.sharedTiers()).containsExactly(Tier.L3);
        assertThat(options.state()).isEqualTo("paid");
        assertThat(options.ttl()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.durability()).isEqualTo(Durability.DURABLE);
        assertThat(SubmitOptions.defaults().state()).as("defaults are not changed").isEqualTo("default");
    }

    @Test
    void badValuesAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> SubmitOptions.cache(Duration.ZERO))
                .withMessageContaining("ttl");
        assertThatIllegalArgumentException().isThrownBy(() -> SubmitOptions.defaults().withTtl(Duration.ofMillis(-1)))
                .withMessageContaining("ttl");
        assertThatIllegalArgumentException().isThrownBy(() -> SubmitOptions.defaults().withState(""))
                .withMessageContaining("state");
    }

    @Test
    void durabilityNamesParseCaseInsensitivelyAndLoudly() {
        assertThat(Durability.parse("local-wal")).isEqualTo(Durability.LOCAL_WAL);
        assertThat(Durability.parse(" Durable ")).isEqualTo(Durability.DURABLE);
        assertThatIllegalArgumentException().isThrownBy(() -> Durability.parse("fsync"))
                .withMessageContaining("fsync").withMessageContaining("LOCAL_WAL");
        assertThatIllegalArgumentException().isThrownBy(() -> Durability.parse(null));
    }
}
