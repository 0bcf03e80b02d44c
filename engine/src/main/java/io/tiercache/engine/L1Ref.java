package io.tiercache.engine;

/**
 * L1's entry for one id, held by a layer above so that it can write the id again, and serve what it derived from
 * the id's item, without looking the id up: {@link SyncEngine#submitOwned} writes through it, {@link #attach} and
 * {@link #attached} keep one derived value (a decoded object, say) that lives exactly as long as the item it came
 * from.
 *
 * <p>An entry stays the same object from the id's first write until it leaves L1 (evicted, expired, invalidated,
 * dropped); once {@link #live()} is false it never becomes true again, and {@link L1Listener#left} is told. Writes,
 * deletes and other nodes' changes replace what the entry holds, not the entry, and each such change drops the
 * attached value at once: {@link #attached} checks that the item it was derived from is still the current one.
 *
 * <pre>{@code
 * engine.submit("users/ada", bytes).join();
 * L1Ref ref = engine.l1Ref("users/ada");                      // null if L1 does not hold the id
 * SyncItem item = ref.item();
 * ref.attach(this, item, decode(item.payload()), Long.MAX_VALUE);
 * Object user = ref.attached(this, TimeSource.system()); // the decoded value, until the next change
 * engine.submitOwned(ref, newBytes, SubmitOptions.defaults()).join();
 * assert ref.attached(this, TimeSource.system()) == null;
 * }</pre>
 */
public interface L1Ref {
    /** The id this entry is for. */
    String id();

    /** Whether L1 still holds this entry. */
    boolean live();

    /** The item L1 holds now, or null (deleted, overtaken by another node's write L1 has not read, left L1). */
    SyncItem item();

    /**
     * Attaches {@code value}, derived by {@code owner} from {@code item}, if {@code item} is still what L1 holds;
     * it is served by {@link #attached} until {@code until} (epoch millis) or the next change, whichever comes
     * first. One value per entry: the last attach wins.
     */
    boolean attach(Object owner, SyncItem item, Object value, long until);

    /**
     * The value {@code owner} attached to the item L1 holds now, or the value that item was submitted as with a
     * {@link PayloadEncoder} of {@code owner}'s, if it is still servable by {@code clock} (read only for a value or
     * an item with an end); else null.
     */
    Object attached(Object owner, TimeSource clock);
}
