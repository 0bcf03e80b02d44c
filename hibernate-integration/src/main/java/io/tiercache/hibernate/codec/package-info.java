/**
 * The byte formats of cache entries: {@link io.tiercache.hibernate.codec.ValueCodec} for the values inside
 * Hibernate's entries and {@link io.tiercache.hibernate.codec.EntryCodec} for the entries themselves.
 */
package io.tiercache.hibernate.codec;
