package org.segspark.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON mapper of every file segspark writes and reads (manifests, model.json,
 * metrics.json, epoch logs, prune and sweep results): records map by their {@code @JsonProperty}
 * names; fields a newer version added are read past rather than refused.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A file's content: indented, UTF-8. */
    public static byte[] pretty(Object value) {
        try {
            return PRETTY.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line of a JSON-lines file, or a value printed on the console. */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static JsonNode tree(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    public static <T> T read(byte[] content, Class<T> type) throws IOException {
        return MAPPER.readValue(content, type);
    }

    public static <T> T read(String content, Class<T> type) throws JsonProcessingException {
        return MAPPER.readValue(content, type);
    }

    public static <T> T convert(JsonNode tree, Class<T> type) throws JsonProcessingException {
        return MAPPER.treeToValue(tree, type);
    }

    public static String text(byte[] content) {
        return new String(content, StandardCharsets.UTF_8);
    }
}
