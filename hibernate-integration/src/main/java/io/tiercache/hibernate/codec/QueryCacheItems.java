package io.tiercache.hibernate.codec;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.List;

/**
 * Opens Hibernate's query-results item ({@code QueryResultsCacheImpl.CacheItem}, public in 6.6 and package-private
 * in 7), which has no accessors: its class is found by name, its two fields read and its constructor called
 * reflectively, so the item can be stored in the compact format rather than Java-serialized. When a Hibernate version changes the class, {@link #available()} turns false and the query
 * cache region stores nothing (a numbered warning says so at startup) instead of failing the application.
 */
public final class QueryCacheItems {
    private static final Field TIMESTAMP;
    private static final Field RESULTS;
    private static final String ITEM_CLASS = "org.hibernate.cache.internal.QueryResultsCacheImpl$CacheItem";
    private static final Class<?> ITEM;
    private static final Constructor<?> CONSTRUCTOR;
    private static final String PROBLEM;

    static {
        Class<?> item = null;
        Field timestamp = null;
        Field results = null;
        Constructor<?> constructor = null;
        String problem = null;
        try {
            item = Class.forName(ITEM_CLASS, false, QueryCacheItems.class.getClassLoader());
            timestamp = item.getDeclaredField("timestamp");
            results = item.getDeclaredField("results");
            constructor = item.getDeclaredConstructor(long.class, List.class);
            timestamp.setAccessible(true);
            results.setAccessible(true);
            constructor.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            problem = e.toString();
        }
        ITEM = item;
        TIMESTAMP = timestamp;
        RESULTS = results;
        CONSTRUCTOR = constructor;
        PROBLEM = problem;
    }

    private QueryCacheItems() {
    }

    public static boolean available() {
        return PROBLEM == null;
    }

    /** Why the item cannot be opened, or null when it can. */
    public static String problem() {
        return PROBLEM;
    }

    static boolean isItem(Object value) {
        return ITEM != null && ITEM.isInstance(value);
    }

    static long timestamp(Object item) throws UnsupportedValueException {
        try {
            return ((Number) TIMESTAMP.get(item)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new UnsupportedValueException("cannot read the query cache item: " + e);
        }
    }

    static List<?> results(Object item) throws UnsupportedValueException {
        try {
            return (List<?>) RESULTS.get(item);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new UnsupportedValueException("cannot read the query cache item: " + e);
        }
    }

    static Object create(long timestamp, List<?> results) throws java.io.IOException {
        try {
            return CONSTRUCTOR.newInstance(timestamp, results);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new java.io.IOException("cannot rebuild the query cache item: " + e, e);
        }
    }
}
