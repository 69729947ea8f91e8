package org.segspark.jobs.predict;

import java.io.Serializable;

import org.segspark.jobs.data.Normalization;

import com.fasterxml.jackson.databind.JsonNode;
import org.segspark.jobs.data.InputNormalizer;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.preprocess.image.Resize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the model takes, from the run's model.json: task, classes, tensor size, how images were
 * fitted to it (aspect, and JPEGs decoded at a reduced DCT scale or not: the decoders differ by a
 * few grey levels) and normalised.
 */
public record ModelInput(boolean segmentation, List<String> classes, int height, int width, Resize.Aspect aspect,
                         boolean dctScaling, InputNormalizer normalizer) implements Serializable {

    public static ModelInput of(JsonNode info, String aspectSetting, String run) {
        if (!info.path("input").isArray() || info.path("input").size() != 3 || !info.path("classes").isArray()) {
            throw new IllegalArgumentException(run + "/" + RunDirectory.MODEL_INFO + " lacks input [3, h, w] or classes");
        }
        List<String> classes = new ArrayList<>();
        info.path("classes").forEach(c -> classes.add(c.asText()));
        String aspect = aspectSetting.equals("auto") ? info.at("/input_transform/aspect").asText("stretch") : aspectSetting;
        JsonNode norm = info.path("normalization");
        Normalization mode = "image".equals(norm.path("mode").asText())
                ? Normalization.IMAGE : Normalization.DATASET;
        return new ModelInput("segmentation".equals(info.path("task").asText()), classes,
                info.at("/input/1").asInt(), info.at("/input/2").asInt(),
                Resize.Aspect.valueOf(aspect.toUpperCase(Locale.ROOT)),
                info.at("/input_transform/jpeg_dct_scaling").asBoolean(false),
                InputNormalizer.of(mode, doubles(norm.path("mean")), doubles(norm.path("std"))));
    }

    private static double[] doubles(JsonNode array) {
        if (!array.isArray() || array.size() != 3) {
            return null;
        }
        double[] d = new double[3];
        for (int i = 0; i < 3; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }
}
