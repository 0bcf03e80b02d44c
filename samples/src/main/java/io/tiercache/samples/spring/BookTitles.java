package io.tiercache.samples.spring;

import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The "slow" service the cache sits in front of, annotated with the standard JSR-107 annotations only: nothing here
 * knows about Spring's cache abstraction or about tiercache. It counts its own calls so the sample can show which
 * calls reached it and which the cache answered.
 */
public class BookTitles {
    private final Map<String, String> titles = new ConcurrentHashMap<>(Map.of(
            "978-0553383041", "A Wizard of Earthsea",
            "978-0441478125", "The Left Hand of Darkness"));
    private final AtomicInteger calls = new AtomicInteger();

    /** Cached by ISBN: a second call with the same ISBN does not reach this method. */
    @CacheResult(cacheName = "titles")
    public String title(String isbn) {
        calls.incrementAndGet();
        return titles.getOrDefault(isbn, "(unknown)");
    }

    /** Runs, then stores {@code title} under the ISBN, so the next {@link #title} is a hit with the new value. */
    @CachePut(cacheName = "titles")
    public void rename(String isbn, @CacheValue String title) {
        calls.incrementAndGet();
        titles.put(isbn, title);
    }

    /** Runs, then removes the ISBN's entry, so the next {@link #title} reaches the service again. */
    @CacheRemove(cacheName = "titles")
    public void withdraw(String isbn) {
        calls.incrementAndGet();
        titles.remove(isbn);
    }

    /** How many calls reached this service (through the proxy or not). */
    public int calls() {
        return calls.get();
    }
}
