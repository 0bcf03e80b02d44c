package io.tiercache.hibernate.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeysAndValuesTest {

    @Test
    void keys_are_readable_and_carry_the_tenant() {
        assertThat(new TierCacheKey("com.acme.Person", null, IdText.render(42L), 42L).text())
                .isEqualTo("com.acme.Person#42");
        assertThat(new TierCacheKey("com.acme.Person", "acme", IdText.render(42L), 42L).text())
                .isEqualTo("@acme/com.acme.Person#42");
        assertThat(new TierCacheKey("com.acme.Person", "acme", "42", 42L))
                .isNotEqualTo(new TierCacheKey("com.acme.Person", "other", "42", 42L));
    }

    @Test
    void ids_render_without_ambiguity() {
        assertThat(IdText.render(new Object[] {1L, "a,b"})).isEqualTo("(1,a%2Cb)");
        assertThat(IdText.render(new Object[] {1L, "a", "b"})).isEqualTo("(1,a,b)");
        assertThat(IdText.render("50%/x#\n")).isEqualTo("50%25%2Fx%23%0A");
        assertThat(IdText.render(new byte[] {1, (byte) 0xff})).isEqualTo("0x01ff");
    }

    @Test
    void over_long_ids_are_replaced_by_their_digest_within_the_region() {
        String id = EngineIds.of("region/", new TierCacheKey("E", null, "x".repeat(2000), "x"), null);
        assertThat(id).startsWith("region/sha256#").hasSize("region/sha256#".length() + 64);
    }

    @Test
    void setting_values_parse_strictly() {
        assertThat(SettingValues.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(SettingValues.duration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(SettingValues.duration("PT2H")).isEqualTo(Duration.ofHours(2));
        assertThat(SettingValues.duration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SettingValues.bytes("64MiB")).isEqualTo(64L << 20);
        assertThat(SettingValues.bytes("512k")).isEqualTo(512L << 10);
        assertThatThrownBy(() -> SettingValues.bool("yes")).hasMessageContaining("true or false");
        assertThatThrownBy(() -> SettingValues.duration("0s")).hasMessageContaining("positive");
        assertThatThrownBy(() -> SettingValues.bytes("lots")).hasMessageContaining("byte count");
    }

    @Test
    void the_timestamper_never_goes_back_and_moves_past_what_it_observes() {
        long[] wall = {1_000};
        HybridTimestamper clock = new HybridTimestamper(() -> wall[0]);
        long first = clock.next();
        wall[0] = 900;
        assertThat(clock.next()).isGreaterThan(first);

        long fromFastNode = HybridTimestamper.units(1_500);
        clock.observe(fromFastNode, 60_000);
        assertThat(clock.next()).isGreaterThan(fromFastNode);

        clock.observe(HybridTimestamper.units(10_000_000), 60_000);
        assertThat(clock.next()).as("bounded by the wall clock plus the allowed skew")
                .isLessThan(HybridTimestamper.units(900 + 60_000 + 1));
    }
}
