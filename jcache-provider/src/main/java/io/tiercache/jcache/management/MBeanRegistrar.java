package io.tiercache.jcache.management;

import javax.cache.CacheException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;

/**
 * Registers a cache's management and statistics beans in the platform MBeanServer under the names JCache tools
 * look for: {@code javax.cache:type=CacheStatistics,CacheManager=<uri>,Cache=<name>}.
 *
 * <pre>{@code
 * MBeanRegistrar.register(MBeanRegistrar.Kind.STATISTICS, manager.getURI(), "users", statistics);
 * }</pre>
 */
public final class MBeanRegistrar {
    /** Which of the two beans. */
    public enum Kind {
        CONFIGURATION("CacheConfiguration"),
        STATISTICS("CacheStatistics");

        private final String type;

        Kind(String type) {
            this.type = type;
        }
    }

    private MBeanRegistrar() {
    }

    public static void register(Kind kind, URI managerUri, String cacheName, Object bean) {
        ObjectName name = objectName(kind, managerUri, cacheName);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (!server.isRegistered(name)) {
                server.registerMBean(bean, name);
            }
        } catch (Exception e) {
            throw new CacheException("cannot register MBean " + name + ": " + e.getMessage(), e);
        }
    }

    public static void unregister(Kind kind, URI managerUri, String cacheName) {
        ObjectName name = objectName(kind, managerUri, cacheName);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (InstanceNotFoundException e) {
            // Another thread unregistered it between the check and the call: the goal is reached.
        } catch (Exception e) {
            throw new CacheException("cannot unregister MBean " + name + ": " + e.getMessage(), e);
        }
    }

    public static ObjectName objectName(Kind kind, URI managerUri, String cacheName) {
        String name = "javax.cache:type=" + kind.type + ",CacheManager=" + safe(managerUri.toString())
                + ",Cache=" + safe(cacheName);
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new CacheException("cannot form an MBean name for cache '" + cacheName + "': " + name, e);
        }
    }

    private static String safe(String part) {
        return part == null ? "" : part.replaceAll("[,:=\n*?\"]", ".");
    }
}
