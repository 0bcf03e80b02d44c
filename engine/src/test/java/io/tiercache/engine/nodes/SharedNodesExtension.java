package io.tiercache.engine.nodes;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Opens {@link SharedNodes} before each test and closes them after it (nodes stopped, keys deleted, database
 * dropped), so a multi-JVM test states its backends in one line.
 *
 * <pre>{@code
 * @RegisterExtension
 * final SharedNodesExtension backends = new SharedNodesExtension();
 *
 * @Test void twoNodes() { NodeProcess a = backends.nodes().start(EngineNode.class, log, ...); }
 * }</pre>
 */
public final class SharedNodesExtension implements BeforeEachCallback, AfterEachCallback {
    private SharedNodes nodes;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        nodes = SharedNodes.open();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        SharedNodes opened = nodes;
        nodes = null;
        if (opened != null) {
            opened.close();
        }
    }

    /** The current test's backends and node processes. */
    public SharedNodes nodes() {
        if (nodes == null) {
            throw new IllegalStateException("the shared backends are open only while a test runs");
        }
        return nodes;
    }
}
