/**
 * The tier SPI: {@link io.tiercache.engine.tier.ItemTier} is what memory, Redis and SQL each implement, and the
 * contract test suite in the engine's test jar is what each must pass. Tiers store and return what they hold; the
 * engine decides what to serve.
 */
package io.tiercache.engine.tier;
