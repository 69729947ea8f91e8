package org.segspark.jobs.run;

import java.io.Serializable;

import org.segspark.jobs.data.Normalization;

import com.fasterxml.jackson.databind.JsonNode;
import org.segspark.jobs.data.InputNormalizer;
import org.segspark.preprocess.image.Resize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the model takes, from the run's model.json: task, classes, tensor size and channels (the
 * normaliser's), how images were fitted to it (aspect, and JPEGs decoded at a reduced DCT scale or
 * not: the decoders differ by a few grey levels) and normalised.
 */
public record ModelInput(boolean segmentation, List<String> classes, int height, int width, Resize.Aspect aspect,
                         boolean dctScaling, InputNormalizer normalizer) implements Serializable {

    public static ModelInput of(JsonNode info, String aspectSetting, String run) {
        if (!info.path("input").isArray() || info.path("input").size() != 3 || !info.path("classes").isArray()) {
            throw new IllegalArgumentException(run + "/" + RunDirectory.MODEL_INFO + " lacks input [c, h, w] or classes");
        }
        int channels = info.at("/input/0").asInt();
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(run + "/" + RunDirectory.MODEL_INFO + ": input has " + channels
                    + " channels; segspark's models take 3 (RGB) or 1 (grey)");
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
                InputNormalizer.of(mode, channels, doubles(norm.path("mean")), doubles(norm.path("std"))));
    }

    public int channels() {
        return normalizer.channels();
    }

    /**
     * A decoded image's RGB pixels (HWC) as the model takes them: as they are, or grey (ITU-R BT.601
     * luma, what converting to grey commonly means; a grey image's three equal channels give it back).
     */
    public byte[] pixels(byte[] rgb) {
        if (channels() == 3) {
            return rgb;
        }
        byte[] grey = new byte[rgb.length / 3];
        for (int p = 0; p < grey.length; p++) {
            int r = rgb[3 * p] & 0xff, g = rgb[3 * p + 1] & 0xff, b = rgb[3 * p + 2] & 0xff;
            grey[p] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
        }
        return grey;
    }

    private static double[] doubles(JsonNode array) {
        if (!array.isArray()) {
            return null;
        }
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }
}
