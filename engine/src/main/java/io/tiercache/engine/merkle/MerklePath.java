package io.tiercache.engine.merkle;

import io.tiercache.engine.ItemIds;
import io.tiercache.engine.internal.ContentHash;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The address of a node in a namespace's merkle tree: the hex digits that lead to it from the root, one digit per
 * level. {@code ""} is the root, {@code "a"} one of its 16 children, and a 4-digit path such as {@code "a3f0"} is a
 * leaf bucket. An item lives in the leaf named by the first {@value #DEPTH} hex digits of SHA-256 of its UTF-8 id, so
 * ids spread evenly over the {@value #LEAF_COUNT} leaves whatever their shape.
 *
 * <p>Paths are lower-case; anything else is refused, so a path read from a store is either exact or an error.
 *
 * <pre>{@code
 * MerklePath leaf = MerklePath.bucketOf("users/42");   // e.g. "7c1e"
 * assert leaf.isLeaf() && leaf.parent().depth() == 3;
 * MerklePath child = MerklePath.ROOT.child(0xa);        // "a"
 * }</pre>
 */
public final class MerklePath implements Comparable<MerklePath> {
    /** Levels below the root; a leaf path has this many digits. */
    public static final int DEPTH = 4;
    /** Children per internal node, one per hex digit. */
    public static final int FANOUT = 16;
    /** Leaf buckets per tree (16^4). */
    public static final int LEAF_COUNT = 1 << (4 * DEPTH);
    public static final MerklePath ROOT = new MerklePath("");
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private final String hex;

    private MerklePath(String hex) {
        this.hex = hex;
    }

    /** The path {@code hex} names; throws {@link IllegalArgumentException} unless it is 0..4 lower-case hex digits. */
    public static MerklePath of(String hex) {
        if (hex == null) {
            throw new IllegalArgumentException("merkle path must not be null (the root is \"\")");
        }
        if (hex.length() > DEPTH) {
            throw new IllegalArgumentException("merkle path '" + abbreviate(hex) + "' has " + hex.length()
                    + " digits, over the tree depth of " + DEPTH);
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new IllegalArgumentException("merkle path '" + abbreviate(hex)
                        + "' has a character that is not a lower-case hex digit at index " + i);
            }
        }
        return hex.isEmpty() ? ROOT : new MerklePath(hex);
    }

    /** The leaf bucket of an item id: the first four hex digits of SHA-256(UTF-8 id). */
    public static MerklePath bucketOf(String id) {
        ItemIds.requireValid(id);
        byte[] sha = ContentHash.sha256(id.getBytes(StandardCharsets.UTF_8));
        return leafAt(((sha[0] & 0xff) << 8) | (sha[1] & 0xff));
    }

    /** The leaf with index {@code index} in 0..65535, i.e. its four digits read as a number. */
    public static MerklePath leafAt(int index) {
        return at(DEPTH, index);
    }

    /** The node at {@code depth} (0..4) whose digits, read as a number, are {@code index} (0..16^depth - 1). */
    public static MerklePath at(int depth, int index) {
        if (depth < 0 || depth > DEPTH) {
            throw new IllegalArgumentException("depth must be in 0.." + DEPTH + ", got " + depth);
        }
        int limit = 1 << (4 * depth);
        if (index < 0 || index >= limit) {
            throw new IllegalArgumentException("index at depth " + depth + " must be in 0.." + (limit - 1)
                    + ", got " + index);
        }
        if (depth == 0) {
            return ROOT;
        }
        char[] digits = new char[depth];
        for (int i = depth - 1; i >= 0; i--) {
            digits[i] = DIGITS[index & 0xf];
            index >>>= 4;
        }
        return new MerklePath(new String(digits));
    }

    /** Digits from the root: 0 for the root, {@value #DEPTH} for a leaf. */
    public int depth() {
        return hex.length();
    }

    public boolean isRoot() {
        return hex.isEmpty();
    }

    public boolean isLeaf() {
        return hex.length() == DEPTH;
    }

    /** The node one level up; the root has none. */
    public MerklePath parent() {
        if (isRoot()) {
            throw new IllegalArgumentException("the root has no parent");
        }
        return hex.length() == 1 ? ROOT : new MerklePath(hex.substring(0, hex.length() - 1));
    }

    /** The child under hex digit {@code digit} (0..15); a leaf has none. */
    public MerklePath child(int digit) {
        if (isLeaf()) {
            throw new IllegalArgumentException("leaf '" + hex + "' has no children");
        }
        if (digit < 0 || digit >= FANOUT) {
            throw new IllegalArgumentException("child digit must be in 0..15, got " + digit);
        }
        return new MerklePath(hex + DIGITS[digit]);
    }

    /** All 16 children in digit order. */
    public List<MerklePath> children() {
        List<MerklePath> out = new ArrayList<>(FANOUT);
        for (int d = 0; d < FANOUT; d++) {
            out.add(child(d));
        }
        return out;
    }

    /** The last digit's value (which child of its parent this is); the root has none. */
    public int lastDigit() {
        if (isRoot()) {
            throw new IllegalArgumentException("the root is no one's child");
        }
        return Character.digit(hex.charAt(hex.length() - 1), 16);
    }

    /** The digits read as a number, unique within one depth (a leaf's is 0..65535). */
    public int index() {
        return hex.isEmpty() ? 0 : Integer.parseInt(hex, 16);
    }

    /** The digits: {@code ""} for the root. */
    public String hex() {
        return hex;
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 16) + "…";
    }

    /** Shallower paths first, then by digits: the order a top-down walk visits nodes in. */
    @Override
    public int compareTo(MerklePath o) {
        int c = Integer.compare(hex.length(), o.hex.length());
        return c != 0 ? c : hex.compareTo(o.hex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MerklePath p && hex.equals(p.hex);
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }

    /** The digits, or {@code <root>} for the root so log lines never show an empty string. */
    @Override
    public String toString() {
        return hex.isEmpty() ? "<root>" : hex;
    }
}
