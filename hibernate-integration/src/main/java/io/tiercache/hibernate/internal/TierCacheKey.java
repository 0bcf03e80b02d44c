package io.tiercache.hibernate.internal;

import java.io.Serializable;

/**
 * A cache key whose identity is its readable text, {@code [@tenant/]<entity or role>#<id>}. The region prefix is
 * added by the storage, giving engine ids like {@code com.acme.Person/com.acme.Person#42}.
 */
public final class TierCacheKey implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String role;
    private final String text;
    private final Object id;

    TierCacheKey(String role, String tenant, String renderedId, Object id) {
        this.role = role;
        this.text = (tenant == null ? "" : "@" + IdText.escape(tenant) + "/") + role + "#" + renderedId;
        this.id = id;
    }

    /** The entity name or collection role. */
    public String role() {
        return role;
    }

    /** The readable key without the region. */
    public String text() {
        return text;
    }

    /** The identifier (or natural-id values) the key was made from. */
    public Object id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof TierCacheKey other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
