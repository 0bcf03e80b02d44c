package io.tiercache.engine.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterURIUtil;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A {@code redisUrl} read into what Lettuce connects to: one server (directly or found through Sentinel), or the seed
 * nodes of a Redis Cluster. The cluster form has a scheme of its own rather than being guessed from the server: a
 * standalone client pointed at a cluster node works for the slots that node owns and fails with MOVED for the rest,
 * which is worse than failing at once.
 *
 * @param nodes       one URI for a server or a Sentinel set; one per seed node of a cluster
 * @param cluster     whether the nodes are Redis Cluster seeds
 * @param description the URL without credentials, for logs and {@code describe()}
 */
record RedisUrl(List<RedisURI> nodes, boolean cluster, String description) {
    static final String FORMS = "redis://[user:password@]host:port[/db], rediss://... (TLS), "
            + "redis-sentinel://[password@]host:port[,host:port]/[db]#master, "
            + "redis-cluster://[user:password@]host:port[,host:port...] or rediss-cluster://... (Cluster over TLS)";

    /**
     * Reads a URL of one of the {@link #FORMS}.
     *
     * @throws IllegalArgumentException naming the problem and the accepted forms: missing, unknown scheme, several
     *                                  hosts without a scheme that takes them, Sentinel and Cluster mixed, a database
     *                                  other than 0 in a cluster, or a URL Lettuce cannot read
     */
    static RedisUrl parse(String url) {
        if (url == null) {
            throw new IllegalArgumentException("redisUrl is not set: the Redis tier needs one of " + FORMS);
        }
        String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT) : "";
        String rest = url.substring(url.indexOf("://") + 3);
        try {
            return switch (scheme) {
                case "redis", "rediss" -> standalone(url, rest);
                case "redis-sentinel" -> single(RedisURI.create(url));
                case "redis-cluster", "rediss-cluster" -> cluster(scheme, rest);
                default -> throw new IllegalArgumentException("redisUrl scheme '" + scheme
                        + "' is not supported: use " + FORMS);
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("redisUrl")) {
                throw e;
            }
            // Parsers quote the URL they choke on; the password in it must not reach a log.
            String authority = authority(rest);
            String credentials = authority.contains("@") ? authority.substring(0, authority.lastIndexOf('@')) : "";
            String reason = String.valueOf(e.getMessage());
            throw new IllegalArgumentException("redisUrl is malformed: "
                    + (credentials.isEmpty() ? reason : reason.replace(credentials, "***")));
        }
    }

    private static RedisUrl standalone(String url, String rest) {
        if (authority(rest).contains(",")) {
            throw new IllegalArgumentException("redisUrl names several hosts without saying how they relate: use "
                    + "redis-cluster://host:port,host:port for a Redis Cluster or "
                    + "redis-sentinel://host:port,host:port#master for Sentinel");
        }
        return single(RedisURI.create(url));
    }

    private static RedisUrl single(RedisURI uri) {
        String description;
        if (!uri.getSentinels().isEmpty()) {
            description = "redis-sentinel://" + uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort())
                    .collect(Collectors.joining(",")) + "/" + uri.getDatabase() + "#" + uri.getSentinelMasterId();
        } else {
            description = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                    + uri.getDatabase();
        }
        return new RedisUrl(List.of(uri), false, description);
    }

    private static RedisUrl cluster(String scheme, String rest) {
        if (rest.contains("#")) {
            throw new IllegalArgumentException("redisUrl mixes Redis Cluster with a Sentinel master name ('#...'): "
                    + "a cluster fails over by itself; use redis-cluster://host:port,... without '#', or "
                    + "redis-sentinel://host:port#master for a Sentinel-managed server");
        }
        String tail = rest.substring(authority(rest).length());
        String path = tail.contains("?") ? tail.substring(0, tail.indexOf('?')) : tail;
        if (!path.isEmpty() && !path.equals("/") && !path.equals("/0")) {
            throw new IllegalArgumentException("redisUrl selects database '" + path.substring(1)
                    + "', but Redis Cluster has only database 0: drop the path or use /0");
        }
        boolean tls = scheme.startsWith("rediss");
        List<RedisURI> seeds = RedisClusterURIUtil.toRedisURIs(URI.create((tls ? "rediss://" : "redis://") + rest));
        String description = scheme + "://" + seeds.stream().map(s -> s.getHost() + ":" + s.getPort())
                .collect(Collectors.joining(","));
        return new RedisUrl(List.copyOf(seeds), true, description);
    }

    /** The part between "://" and the first '/', '?' or '#', credentials included. */
    private static String authority(String rest) {
        int end = rest.length();
        for (char c : new char[]{'/', '?', '#'}) {
            int at = rest.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return rest.substring(0, end);
    }
}
