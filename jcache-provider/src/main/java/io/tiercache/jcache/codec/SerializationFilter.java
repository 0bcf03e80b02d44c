package io.tiercache.jcache.codec;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The allowlist every Java-serialized value passes on its way back in: bytes from a shared store must never
 * instantiate a class nobody approved. A refused class fails with a message naming it and the setting to extend.
 *
 * <pre>{@code
 * SerializationFilter filter = SerializationFilter.withExtraPatterns("com.acme.model.**");
 * filter.asObjectInputFilter(); // java.lang.*, java.util.*, ... plus com.acme.model.**, everything else rejected
 * }</pre>
 *
 * <p>Patterns use {@link ObjectInputFilter.Config#createFilter} syntax: {@code pkg.Class}, {@code pkg.*} (one
 * package), {@code pkg.**} (package and sub-packages). Array types are checked by their component class.
 */
public final class SerializationFilter {
    /** The setting users extend; named in every refusal. */
    public static final String SETTING = "tiercache.serialization.allowlist";

    /** JDK value types that are safe to rebuild: boxed primitives, strings, collections, time and math types. */
    public static final List<String> BUILT_IN = List.of(
            "java.lang.Object", "java.lang.String", "java.lang.Number", "java.lang.Boolean", "java.lang.Character", "java.lang.Byte",
            "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
            "java.lang.Enum", "java.lang.Record", "java.util.*", "java.math.*", "java.time.*", "java.net.URI",
            "java.net.URL", "java.util.concurrent.*", "java.util.concurrent.atomic.*");

    private final List<String> patterns;
    private final ObjectInputFilter filter;

    private SerializationFilter(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.filter = ObjectInputFilter.Config.createFilter(String.join(";", patterns) + ";!*");
    }

    /** Only the {@link #BUILT_IN} JDK types. */
    public static SerializationFilter defaults() {
        return new SerializationFilter(BUILT_IN);
    }

    /** The built-in JDK types plus {@code extraPatterns}. */
    public static SerializationFilter withExtraPatterns(List<String> extraPatterns) {
        List<String> all = new ArrayList<>(BUILT_IN);
        for (String pattern : extraPatterns) {
            String trimmed = Objects.requireNonNull(pattern, "pattern").trim();
            if (trimmed.isEmpty() || trimmed.startsWith("!") || trimmed.contains("=")) {
                throw new IllegalArgumentException("'" + pattern + "' is not an allowlist class pattern for " + SETTING
                        + " (allowed: a class name, pkg.*, pkg.** or a name prefix ending in *)");
            }
            all.add(trimmed);
        }
        return new SerializationFilter(all);
    }

    public static SerializationFilter withExtraPatterns(String... extraPatterns) {
        return withExtraPatterns(List.of(extraPatterns));
    }

    /** The patterns this filter allows, built-in ones first. */
    public List<String> patterns() {
        return patterns;
    }

    /** A filter that allows the patterns, rejects every other class, and leaves graph limits to the JVM defaults. */
    public ObjectInputFilter asObjectInputFilter() {
        return asObjectInputFilter(rejected -> { });
    }

    /** Like {@link #asObjectInputFilter()}, telling {@code onReject} which class it refused. */
    public ObjectInputFilter asObjectInputFilter(java.util.function.Consumer<Class<?>> onReject) {
        return info -> {
            Class<?> type = info.serialClass();
            if (type == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            Class<?> component = type;
            while (component.isArray()) {
                component = component.getComponentType();
            }
            if (component.isPrimitive() || filter.checkInput(new ClassOnly(component)) == ObjectInputFilter.Status.ALLOWED) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            onReject.accept(component);
            return ObjectInputFilter.Status.REJECTED;
        };
    }

    private record ClassOnly(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }

    @Override
    public String toString() {
        return String.join(";", patterns);
    }
}
