package io.tiercache.engine.chaos;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the nodes of a {@link PrivateRedisCluster} guard themselves, and so how servers, {@code redis-cli} and clients
 * are started or addressed: a password (AUTH, also between nodes), TLS with a self-signed certificate (also on the
 * cluster bus), or neither.
 */
record ClusterSecurity(String password, Path cert, Path key) {
    static final ClusterSecurity NONE = new ClusterSecurity(null, null, null);

    /** What a node needs on top of the cluster options. */
    List<String> serverArgs(int port) {
        List<String> args = new ArrayList<>();
        if (password != null) {
            args.addAll(List.of("--requirepass", password, "--masterauth", password));
        }
        if (cert != null) {
            // Later arguments win: the plain port goes, the same port speaks TLS.
            args.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cluster", "yes",
                    "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
                    "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no"));
        }
        return args;
    }

    /** What {@code redis-cli} needs to reach the nodes. */
    List<String> cliArgs() {
        List<String> args = new ArrayList<>();
        if (password != null) {
            args.addAll(List.of("--no-auth-warning", "-a", password));
        }
        if (cert != null) {
            args.addAll(List.of("--tls", "--cacert", cert.toString()));
        }
        return args;
    }

    /**
     * A URL for {@code hosts} ({@code host:port[,...]}) with the password: {@code plainScheme}, or {@code tlsScheme}
     * trusting the self-signed certificate when the nodes speak TLS.
     */
    String url(String plainScheme, String tlsScheme, String hosts) {
        return (cert == null ? plainScheme : tlsScheme) + "://" + (password == null ? "" : ":" + password + "@")
                + hosts + (cert == null ? "" : "?verifyPeer=NONE");
    }
}
