package io.tiercache.engine.chaos;

/** Closing what a chaos test started: every server is closed even when an earlier one fails to close. */
public final class PrivateServers {

    private PrivateServers() {
    }

    /** Closes the servers that were started (nulls are skipped); the first failure is thrown, the rest suppressed. */
    public static void closeAll(AutoCloseable... servers) throws Exception {
        Exception first = null;
        for (AutoCloseable server : servers) {
            if (server == null) {
                continue;
            }
            try {
                server.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
