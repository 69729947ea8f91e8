package org.segspark.nas.architecture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A network of search cells, complete enough to rebuild it: what the search starts from, and what
 * pruning saves (architecture.json) so a pruned network can be fine-tuned or searched again.
 *
 * <p>{@code unet}: encoder cells 1..maxDepth (2x2 max pooling between levels), decoder cells
 * 1..maxDepth-1 (level j takes a 2x2 stride-2 up-convolution of level j+1 concatenated with encoder
 * cell j), a 1x1 head. While searching, every U-Net depth in [minDepth, maxDepth] is computed with
 * shared cells and the outputs are mixed with Gaussian weights over a learnable network depth.
 * {@code classifier}: the encoder cells with max pooling between them, global average pooling
 * and a fully connected softmax layer (the seed's cell2d test on CIFAR-10).
 *
 * @param kind       unet or classifier
 * @param inChannels input image channels
 * @param classes    output classes
 * @param variant    channel relaxation: gate (sigmoid gates, pruned at g <= 0.5) or norm (erf of
 *                   the 1x1 convolution's row norms, pruned at norm <= 0.01)
 * @param minDepth   the shallowest U-Net the search may choose (>= 2; = maxDepth turns the relaxation off)
 * @param maxDepth   U-Net levels built (classifier: the number of cells)
 * @param encoder    encoder cells, level 1 first
 * @param decoder    decoder cells, level 1 first (unet: maxDepth - 1 of them; classifier: none)
 * @param mode       search (relaxations soft and learnt, size loss on), hard (every relaxation at its
 *                   pruning decision: the equivalence check), or plain (no relaxation layers: a pruned network)
 * @param objective  the size loss (search mode only)
 * @param archLr     Adam's learning rate for the architecture parameters (gates, depths): they have
 *                   few epochs to travel from "all in" to a decision, and Adam moves a parameter by
 *                   about its rate per step whatever the gradient's scale
 */
public record NasArchitecture(String kind, int inChannels, int classes, String variant, int minDepth, int maxDepth,
                              List<Cell> encoder, List<Cell> decoder, String mode, SizeObjective objective,
                              double archLr) {

    public static final double DEFAULT_ARCH_LR = 0.01;

    public static final String UNET = "unet";
    public static final String CLASSIFIER = "classifier";
    public static final String GATE = "gate";
    public static final String NORM = "norm";
    public static final String SEARCH = "search";
    public static final String HARD = "hard";
    public static final String PLAIN = "plain";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One cell: a 3x3 conv block to {@code channels}, {@code steps} chained 3x3 conv blocks, a 1x1
     * convolution with ReLU and a residual add of the first block's output.
     */
    public record Cell(int channels, int steps) {
        public Cell {
            if (channels < 1 || steps < 1) {
                throw new IllegalArgumentException("a cell needs channels >= 1 and steps >= 1, got " + channels + ", " + steps);
            }
        }
    }

    public NasArchitecture {
        kind = kind.toLowerCase(Locale.ROOT);
        variant = variant.toLowerCase(Locale.ROOT);
        mode = mode.toLowerCase(Locale.ROOT);
        if (!kind.equals(UNET) && !kind.equals(CLASSIFIER)) {
            throw new IllegalArgumentException("architecture kind must be unet or classifier, got \"" + kind + "\"");
        }
        if (!variant.equals(GATE) && !variant.equals(NORM)) {
            throw new IllegalArgumentException("channel relaxation (variant) must be gate or norm, got \"" + variant + "\"");
        }
        if (!mode.equals(SEARCH) && !mode.equals(HARD) && !mode.equals(PLAIN)) {
            throw new IllegalArgumentException("architecture mode must be search, hard or plain, got \"" + mode + "\"");
        }
        if (inChannels < 1 || classes < 1) {
            throw new IllegalArgumentException("input channels and classes must be >= 1");
        }
        encoder = List.copyOf(encoder);
        decoder = List.copyOf(decoder);
        if (encoder.size() != maxDepth) {
            throw new IllegalArgumentException("max-depth " + maxDepth + " needs " + maxDepth + " encoder cells, got " + encoder.size());
        }
        if (kind.equals(UNET)) {
            if (minDepth < 2 || minDepth > maxDepth) {
                throw new IllegalArgumentException("U-Net depths need 2 <= min-depth <= max-depth, got " + minDepth + ".." + maxDepth);
            }
            if (decoder.size() != maxDepth - 1) {
                throw new IllegalArgumentException("a U-Net of depth " + maxDepth + " needs " + (maxDepth - 1)
                        + " decoder cells, got " + decoder.size());
            }
        } else {
            if (!decoder.isEmpty() || minDepth != maxDepth || maxDepth < 1) {
                throw new IllegalArgumentException("a classifier has no decoder and min-depth = max-depth = its cell count");
            }
        }
        if (!(archLr > 0)) {
            throw new IllegalArgumentException("arch-lr must be > 0, got " + archLr);
        }
        if (mode.equals(SEARCH) && objective == null) {
            throw new IllegalArgumentException("a search architecture needs a size objective");
        }
    }

    /** The seed's U-Net: channels start at {@code base} and grow by {@code growth} per level; decoder cells mirror the encoder. */
    public static NasArchitecture unet(int inChannels, int classes, int base, double growth, int steps, int minDepth,
                                       int maxDepth, String variant, SizeObjective objective) {
        List<Cell> enc = new ArrayList<>();
        for (int j = 0; j < maxDepth; j++) {
            enc.add(new Cell(Math.max(1, (int) Math.round(base * Math.pow(growth, j))), steps));
        }
        return new NasArchitecture(UNET, inChannels, classes, variant, minDepth, maxDepth, enc,
                enc.subList(0, maxDepth - 1), SEARCH, objective, DEFAULT_ARCH_LR);
    }

    /** The seed's cell2d classifier: one cell per entry of {@code channels}. */
    public static NasArchitecture classifier(int inChannels, int classes, int[] channels, int steps, String variant,
                                             SizeObjective objective) {
        List<Cell> enc = new ArrayList<>();
        for (int c : channels) {
            enc.add(new Cell(c, steps));
        }
        return new NasArchitecture(CLASSIFIER, inChannels, classes, variant, channels.length, channels.length, enc,
                List.of(), SEARCH, objective, DEFAULT_ARCH_LR);
    }

    public boolean isUnet() {
        return kind.equals(UNET);
    }

    public boolean searching() {
        return mode.equals(SEARCH);
    }

    public boolean plain() {
        return mode.equals(PLAIN);
    }

    /** Whether the network depth is relaxed (several U-Net depths computed and mixed). */
    public boolean depthRelaxed() {
        return isUnet() && !plain() && minDepth < maxDepth;
    }

    public NasArchitecture withMode(String m) {
        return new NasArchitecture(kind, inChannels, classes, variant, minDepth, maxDepth, encoder, decoder, m, objective, archLr);
    }

    public NasArchitecture withClasses(int c, int in) {
        return new NasArchitecture(kind, in, c, variant, minDepth, maxDepth, encoder, decoder, mode, objective, archLr);
    }

    public NasArchitecture withObjective(SizeObjective o) {
        return new NasArchitecture(kind, inChannels, classes, variant, minDepth, maxDepth, encoder, decoder, mode, o, archLr);
    }

    public NasArchitecture withArchLr(double lr) {
        return new NasArchitecture(kind, inChannels, classes, variant, minDepth, maxDepth, encoder, decoder, mode, objective, lr);
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", kind).put("in_channels", inChannels).put("classes", classes).put("variant", variant)
                .put("min_depth", minDepth).put("max_depth", maxDepth).put("mode", mode).put("arch_lr", archLr);
        n.set("encoder", cells(encoder));
        n.set("decoder", cells(decoder));
        if (objective != null) {
            n.putObject("objective").put("k", objective.k()).put("target", objective.target()).put("f", objective.f())
                    .put("measure", objective.measure());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrayNode cells(List<Cell> cells) {
        ArrayNode a = JSON.createArrayNode();
        for (Cell c : cells) {
            a.addObject().put("channels", c.channels()).put("steps", c.steps());
        }
        return a;
    }

    /** Whether a JSON text is a complete definition (as saved) rather than search settings. */
    public static boolean isDefinition(JsonNode n) {
        return n.has("encoder");
    }

    public static NasArchitecture fromJson(String json) {
        try {
            return fromJson(JSON.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("architecture is not valid JSON: " + e.getMessage(), e);
        }
    }

    public static NasArchitecture fromJson(JsonNode n) {
        for (String key : List.of("kind", "in_channels", "classes", "variant", "min_depth", "max_depth", "encoder", "decoder", "mode")) {
            if (!n.has(key)) {
                throw new IllegalArgumentException("architecture definition lacks \"" + key + "\"");
            }
        }
        JsonNode obj = n.get("objective");
        SizeObjective o = obj != null ? new SizeObjective(obj.get("k").asDouble(), obj.get("target").asDouble(),
                obj.get("f").asText(), obj.path("measure").asText(SizeObjective.PRUNED)) : null;
        return new NasArchitecture(n.get("kind").asText(), n.get("in_channels").asInt(), n.get("classes").asInt(),
                n.get("variant").asText(), n.get("min_depth").asInt(), n.get("max_depth").asInt(),
                cells(n.get("encoder")), cells(n.get("decoder")), n.get("mode").asText(), o,
                n.path("arch_lr").asDouble(DEFAULT_ARCH_LR));
    }

    private static List<Cell> cells(JsonNode a) {
        List<Cell> out = new ArrayList<>();
        for (JsonNode c : a) {
            out.add(new Cell(c.get("channels").asInt(), c.get("steps").asInt()));
        }
        return out;
    }
}
