package io.tiercache.jcache.configuration;

import io.tiercache.engine.Durability;
import io.tiercache.jcache.TierCachingProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.CacheException;
import javax.cache.CacheManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsLoaderTest {
    private static final URI NAME_ONLY = URI.create("test:settings");
    private final ClassLoader loader = getClass().getClassLoader();

    @TempDir
    Path dir;

    private static TierCacheSettings load(URI uri, Properties properties, Properties system, Map<String, String> env) {
        return SettingsLoader.load(uri, false, SettingsLoaderTest.class.getClassLoader(), properties, system, env);
    }

    private static Properties props(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    void noSettingsMeansEmbeddedDefault() {
        TierCacheSettings settings = load(NAME_ONLY, null, new Properties(), Map.of());

        assertThat(settings.sqlEnabled()).isTrue();
        assertThat(settings.dataDir()).isEqualTo(Path.of("tiercache-data"));
        assertThat(settings.sqlUrl()).isEqualTo("jdbc:sqlite:" + Path.of("tiercache-data", "l3.db"));
        assertThat(settings.l1MaxBytes()).isEqualTo(256L << 20);
        assertThat(settings.durability()).isEqualTo(Durability.MEMORY);
        assertThat(settings.onCreate()).isEqualTo(OnCreate.EMPTY);
    }

    @Test
    void unknownKeyFailsNamingIt() {
        assertThatThrownBy(() -> load(NAME_ONLY, props("tiercache.sql.urll", "jdbc:sqlite:x"), new Properties(),
                Map.of()))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("unknown setting 'tiercache.sql.urll'")
                .hasMessageContaining("tiercache.sql.url");
    }

    @Test
    void badValuesFailNamingKeyAndAllowedValues() {
        assertThatThrownBy(() -> load(NAME_ONLY, props("tiercache.durability", "FAST"), new Properties(), Map.of()))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("tiercache.durability")
                .hasMessageContaining("MEMORY, LOCAL_WAL, DURABLE");
        assertThatThrownBy(() -> load(NAME_ONLY, props("tiercache.sql.enabled", "yes"), new Properties(), Map.of()))
                .hasMessageContaining("tiercache.sql.enabled").hasMessageContaining("true, false");
        assertThatThrownBy(() -> load(NAME_ONLY, props("tiercache.l1.max-bytes", "lots"), new Properties(), Map.of()))
                .hasMessageContaining("tiercache.l1.max-bytes");
        assertThatThrownBy(() -> load(NAME_ONLY, props("tiercache.sql.url", "postgres://x"), new Properties(),
                Map.of())).hasMessageContaining("tiercache.sql.url").hasMessageContaining("jdbc:sqlite:");
        assertThatThrownBy(() -> load(NAME_ONLY, props("tiercache.sql.enabled", "false", "tiercache.durability",
                "DURABLE"), new Properties(), Map.of())).hasMessageContaining("needs L3");
    }

    @Test
    void fileNamedByUriIsRead() throws IOException {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "tiercache.sql.enabled=false\ntiercache.l1.max-bytes=1MB\n");

        TierCacheSettings fromFile = load(file.toUri(), null, new Properties(), Map.of());
        TierCacheSettings fromClasspath = load(URI.create("classpath:tiercache-test.properties"), null,
                new Properties(), Map.of());

        assertThat(fromFile.sqlEnabled()).isFalse();
        assertThat(fromFile.l1MaxBytes()).isEqualTo(1L << 20);
        assertThat(fromClasspath.sqlEnabled()).isFalse();
        assertThat(fromClasspath.l1MaxBytes()).isEqualTo(8L << 20);
    }

    @Test
    void missingFileFailsNamingIt() {
        assertThatThrownBy(() -> load(URI.create("classpath:nope.properties"), null, new Properties(), Map.of()))
                .isInstanceOf(CacheException.class).hasMessageContaining("nope.properties");
        assertThatThrownBy(() -> load(dir.resolve("absent.properties").toUri(), null, new Properties(), Map.of()))
                .isInstanceOf(CacheException.class).hasMessageContaining("does not exist");
    }

    @Test
    void systemPropertiesOverrideEnvironmentOverridePropertiesOverrideFile() {
        URI file = URI.create("classpath:tiercache-test.properties");
        Properties given = props("tiercache.l1.max-bytes", "2MB", "tiercache.durability", "MEMORY");

        assertThat(load(file, given, new Properties(), Map.of()).l1MaxBytes()).isEqualTo(2L << 20);
        assertThat(load(file, given, new Properties(), Map.of("TIERCACHE_L1_MAX_BYTES", "3MB")).l1MaxBytes())
                .isEqualTo(3L << 20);
        assertThat(load(file, given, props("tiercache.l1.max-bytes", "4MB"),
                Map.of("TIERCACHE_L1_MAX_BYTES", "3MB")).l1MaxBytes()).isEqualTo(4L << 20);
    }

    @Test
    void unknownEnvironmentVariableFails() {
        assertThatThrownBy(() -> load(NAME_ONLY, null, new Properties(), Map.of("TIERCACHE_SQL_URI", "x")))
                .isInstanceOf(CacheException.class).hasMessageContaining("TIERCACHE_SQL_URI")
                .hasMessageContaining("TIERCACHE_SQL_URL");
    }

    @Test
    void redisUrlIsAcceptedAndKept() {
        TierCacheSettings settings = load(NAME_ONLY, props("tiercache.redis.url", "redis://localhost:6379"),
                new Properties(), Map.of());

        assertThat(settings.redisUrl()).contains("redis://localhost:6379");
    }

    @Test
    void providerFailsGetCacheManagerLoudly() {
        try (TierCachingProvider provider = new TierCachingProvider()) {
            assertThatThrownBy(() -> provider.getCacheManager(URI.create("test:bad"), loader,
                    props("tiercache.nonsense", "1")))
                    .isInstanceOf(CacheException.class).hasMessageContaining("tiercache.nonsense");
            CacheManager ok = provider.getCacheManager(URI.create("classpath:tiercache-test.properties"), loader);
            assertThat(ok.unwrap(TierCacheSettings.class).sqlEnabled()).isFalse();
        }
    }

    @Test
    void referenceFileListsEveryKeyWithItsDefault() throws IOException {
        Properties reference = new Properties();
        String text;
        try (InputStream in = loader.getResourceAsStream("tiercache-reference.properties")) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        reference.load(new java.io.StringReader(text));
        for (Setting setting : Setting.values()) {
            if (setting.defaultValue().isPresent() && !setting.defaultValue().get().isEmpty()) {
                assertThat(reference.getProperty(setting.key())).as(setting.key())
                        .isEqualTo(setting.defaultValue().get());
            } else {
                assertThat(text).as(setting.key()).contains(setting.key() + "=");
            }
        }
        for (String key : reference.stringPropertyNames()) {
            assertThat(Setting.byKey(key)).as(key).isPresent();
        }
    }
}
