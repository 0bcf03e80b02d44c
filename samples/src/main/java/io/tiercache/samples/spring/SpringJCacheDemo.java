package io.tiercache.samples.spring;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import javax.cache.CacheManager;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * A Spring application calling a service annotated with {@code @CacheResult}, {@code @CachePut} and
 * {@code @CacheRemove}, cached by tiercache through {@link SpringJCacheConfig}. Each line says whether the call
 * reached the service or was answered by the cache.
 *
 * <p>Run it with {@code ./scripts/sample.sh spring}. Nothing else needs to be installed.
 */
public final class SpringJCacheDemo {
    private static final String EARTHSEA = "978-0553383041";

    private final PrintStream out;
    private BookTitles titles;

    SpringJCacheDemo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        new SpringJCacheDemo(System.out).run();
    }

    void run() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(SpringJCacheConfig.class)) {
            CacheManager jcache = context.getBean(CacheManager.class);
            out.println("Spring JCacheCacheManager over " + jcache.getCachingProvider().getClass().getName()
                    + ", cache 'titles'");
            titles = context.getBean(BookTitles.class);

            call("title(" + EARTHSEA + ")", () -> titles.title(EARTHSEA));
            call("title(" + EARTHSEA + ")", () -> titles.title(EARTHSEA));
            call("rename(" + EARTHSEA + ", \"Earthsea\")", () -> {
                titles.rename(EARTHSEA, "Earthsea");
                return null;
            });
            call("title(" + EARTHSEA + ")", () -> titles.title(EARTHSEA));
            call("withdraw(" + EARTHSEA + ")", () -> {
                titles.withdraw(EARTHSEA);
                return null;
            });
            call("title(" + EARTHSEA + ")", () -> titles.title(EARTHSEA));

            out.println("service calls: " + titles.calls() + " of 6; cache 'titles' holds "
                    + (jcache.getCache("titles", String.class, String.class).containsKey(EARTHSEA)
                    ? "an entry" : "no entry") + " for " + EARTHSEA);
        }
    }

    private void call(String what, Supplier<String> call) {
        int before = titles.calls();
        String result = call.get();
        boolean reachedService = titles.calls() > before;
        out.printf("  %-40s %-32s %s%n", what, result == null ? "" : "-> \"" + result + "\"",
                reachedService ? "[service called]" : "[cache hit, service not called]");
    }
}
