package io.tiercache.engine.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decides whether a payload is a JSON document (object or array) that may be stored as queryable text.
 * Anything else, including bare JSON scalars and invalid UTF-8, is binary.
 */
public final class JsonDetector {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(512).build())
            .build();

    private JsonDetector() {
    }

    public static boolean isJsonDocument(byte[] bytes) {
        int first = firstNonWhitespace(bytes);
        if (first < 0 || (bytes[first] != '{' && bytes[first] != '[')) {
            return false;
        }
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
                return false;
            }
            parser.skipChildren();
            // Skipped strings are not fully decoded, and JSON is stored as text: the bytes must round-trip.
            return parser.nextToken() == null && isValidUtf8(bytes);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int firstNonWhitespace(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return i;
            }
        }
        return -1;
    }
}
