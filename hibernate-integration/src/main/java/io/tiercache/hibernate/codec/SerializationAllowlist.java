package io.tiercache.hibernate.codec;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classes that may be Java-serialized into the store, given as {@link ObjectInputFilter} class patterns
 * ({@code com.acme.Money}, {@code com.acme.*}, {@code com.acme.**}). Reading applies the same patterns plus the
 * JDK value packages those classes usually contain, and rejects everything else, with graph limits.
 *
 * <pre>{@code
 * SerializationAllowlist allow = SerializationAllowlist.parse("com.acme.Money, com.acme.geo.*");
 * }</pre>
 */
public final class SerializationAllowlist {
    private static final String JDK_VALUES = "java.lang.*;java.math.*;java.time.*;java.util.*;";
    private static final String LIMITS = "maxdepth=32;maxrefs=100000;maxbytes=16777216;maxarray=1000000;";

    private final List<String> patterns;
    private final ObjectInputFilter filter;

    private SerializationAllowlist(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.filter = ObjectInputFilter.Config.createFilter(
                LIMITS + JDK_VALUES + String.join(";", patterns) + (patterns.isEmpty() ? "" : ";") + "!*");
    }

    /** The empty allowlist: only the built-in codecs are used. */
    public static SerializationAllowlist none() {
        return new SerializationAllowlist(List.of());
    }

    /** Parses a comma- or semicolon-separated list of class patterns. */
    public static SerializationAllowlist parse(String spec) {
        List<String> patterns = new ArrayList<>();
        if (spec != null) {
            Arrays.stream(spec.split("[,;]")).map(String::trim).filter(p -> !p.isEmpty()).forEach(pattern -> {
                if (pattern.startsWith("!") || pattern.contains("=") || pattern.contains("/")) {
                    throw new IllegalArgumentException("serialization allowlist entry '" + pattern
                            + "' must be a class name or package pattern such as com.acme.* or com.acme.**");
                }
                patterns.add(pattern);
            });
        }
        return new SerializationAllowlist(patterns);
    }

    /** Whether values of {@code type} may be written with Java serialization. */
    public boolean allows(Class<?> type) {
        String name = type.getName();
        for (String pattern : patterns) {
            if (pattern.endsWith(".**") ? name.startsWith(pattern.substring(0, pattern.length() - 2))
                    : pattern.endsWith(".*") ? name.startsWith(pattern.substring(0, pattern.length() - 1))
                    && name.indexOf('.', pattern.length() - 1) < 0
                    : name.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    ObjectInputFilter filter() {
        return filter;
    }

    @Override
    public String toString() {
        return patterns.isEmpty() ? "(empty)" : String.join(",", patterns);
    }
}
