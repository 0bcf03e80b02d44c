package io.tiercache.engine.cdc;

import io.tiercache.engine.ContentType;

import java.util.Optional;

/**
 * One applied change read from the CDC stream.
 *
 * @param streamId    the entry's id in the stream (acknowledge it with {@link CdcConsumer#ack})
 * @param deleted     a delete (no payload, hash or state)
 * @param payload     the payload, or empty when it was larger than the stream carries (read the item instead)
 * @param expiresAt   epoch millis, 0 for none
 */
public record CdcEvent(String streamId, String id, long version, boolean deleted, String contentHash,
                       ContentType contentType, String state, long expiresAt, Optional<byte[]> payload) {
}
