package io.tiercache.hibernate;

/** One configuration problem found at startup: its numbered id, the setting concerned and what to do. */
public record ConfigWarning(String id, String key, String message) {
    @Override
    public String toString() {
        return id + " " + message;
    }
}
