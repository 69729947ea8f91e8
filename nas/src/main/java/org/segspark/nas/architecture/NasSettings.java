package org.segspark.nas.architecture;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.segspark.core.json.Json;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The search settings of a nas model (training's {@code model-options.architecture}, docs/NAS.md);
 * a setting left out (null) takes the model's default.
 *
 * @param baseChannels nas-unet: channels of the first level (default 64 x the width multiplier)
 * @param growth       nas-unet: channel growth per level (1.5)
 * @param channels     nas-classifier: channels per cell (16, 32, 64; times the width multiplier)
 * @param steps        convolutions per cell (2)
 * @param minDepth     nas-unet: the shallowest U-Net depth the search may keep (2, at most max-depth)
 * @param maxDepth     nas-unet: levels of the search network (4)
 * @param variant      gate (learnable channel gates) or norm (1x1 norms)
 * @param k            weight of the size loss
 * @param target       the size share the size loss aims at
 * @param f            the size loss's form: mse, l1 or linear
 * @param measure      how the size loss counts the size: pruned (what pruning would keep) or relaxed (the seed's)
 * @param mode         search, hard (gates rounded) or plain (no search parts)
 * @param archLr       learning rate of the architecture parameters
 */
public record NasSettings(@JsonProperty("base-channels") Integer baseChannels,
                          @JsonProperty("growth") Double growth,
                          @JsonProperty("channels") List<Integer> channels,
                          @JsonProperty("steps") Integer steps,
                          @JsonProperty("min-depth") Integer minDepth,
                          @JsonProperty("max-depth") Integer maxDepth,
                          @JsonProperty("variant") String variant,
                          @JsonProperty("k") Double k,
                          @JsonProperty("target") Double target,
                          @JsonProperty("f") String f,
                          @JsonProperty("measure") String measure,
                          @JsonProperty("mode") String mode,
                          @JsonProperty("arch-lr") Double archLr) {

    /** The settings' keys, as written. */
    public static final Set<String> KEYS = Arrays.stream(NasSettings.class.getRecordComponents())
            .map(c -> c.getAccessor().getAnnotation(JsonProperty.class).value()).collect(Collectors.toUnmodifiableSet());

    /** The settings in {@code n}: unknown keys and values of the wrong type are refused, naming the key. */
    public static NasSettings of(JsonNode n) {
        n.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown nas setting \"" + key + "\"; settings: " + new TreeSet<>(KEYS));
            }
        });
        try {
            return Json.convert(n, NasSettings.class);
        } catch (JsonProcessingException e) {
            String key = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                    ? m.getPath().get(0).getFieldName() : "?";
            throw new IllegalArgumentException("nas setting \"" + key + "\": " + e.getOriginalMessage(), e);
        }
    }
}
