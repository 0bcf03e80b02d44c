package io.tiercache.engine;

/**
 * What {@link SyncEngine#verifyFilter()} found.
 *
 * @param checked        L3 ids looked up in the filter
 * @param falseNegatives ids L3 holds that the filter said were definitely missing (each one a wrong miss while
 *                       the filter was trusted); above 0 the filter was distrusted and a rebuild started
 * @param load           share of the filter's slots in use
 * @param trusted        whether reads trusted the filter's negatives when the check began
 */
public record FilterReport(long checked, long falseNegatives, double load, boolean trusted) {
}
