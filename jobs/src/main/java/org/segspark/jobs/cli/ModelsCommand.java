package org.segspark.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelOption;
import org.segspark.models.ModelSpec;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The model registry as a table, as JSON or layer by layer. Counts come from the graph
 * configurations alone, so listing every model allocates no parameters and takes seconds.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n", footer = "  segspark models unet-mobilenetv2 --size 256x256 --summary",
        description = "List the registry's models with parameters and MACs at their default configuration "
                + "(or the one given), next to the reference implementation's figures.")
public final class ModelsCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "One model (default: all)")
    String name;

    @Option(names = "--json", description = "A JSON array instead of the table")
    boolean json;

    @Option(names = "--summary", description = "Layer by layer: name, type, output shape, params (needs NAME)")
    boolean summary;

    @Option(names = "--classes", paramLabel = "N", description = "Output classes instead of the default")
    Integer classes;

    @Option(names = "--size", paramLabel = "HxW", description = "Input height x width instead of the default")
    String size;

    @Option(names = "--width-multiplier", paramLabel = "ALPHA", description = "MobileNet width multiplier")
    Double widthMultiplier;

    @Override
    public Integer call() throws Exception {
        if (summary && name == null) {
            throw new IllegalArgumentException("--summary needs a model NAME");
        }
        List<ModelSpec> specs = name == null ? List.copyOf(ModelRegistry.all().values())
                : List.of(ModelRegistry.get(name));
        List<Entry> entries = new ArrayList<>();
        for (ModelSpec spec : specs) {
            entries.add(entry(spec, config(spec)));
        }
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Entry e : entries) {
                rows.add(e.json(summary));
            }
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
        } else if (summary) {
            printSummary(entries.get(0));
        } else {
            printTable(entries);
        }
        return 0;
    }

    private ModelConfig config(ModelSpec spec) {
        ModelConfig c = spec.defaults();
        if (classes != null) {
            c = c.withClasses(classes);
        }
        int[] hw = Sizes.parse(size, "--size");
        if (hw != null) {
            c = c.withInput(hw[0], hw[1]);
        }
        if (widthMultiplier != null) {
            if (name != null) {
                spec.requireOptions(Set.of(ModelOption.WIDTH_MULTIPLIER));
            }
            // listing every model: the ones that take a width multiplier
            if (spec.options().contains(ModelOption.WIDTH_MULTIPLIER)) {
                c = c.withWidthMultiplier(widthMultiplier);
            }
        }
        return c;
    }

    record Entry(ModelSpec spec, ModelConfig config, GraphStats stats) {
        boolean atDefaults() {
            return config.equals(spec.defaults());
        }

        Map<String, Object> json(boolean withLayers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", spec.name());
            m.put("task", spec.task().id());
            m.put("input", List.of(3, config.height(), config.width()));
            m.put("classes", config.classes());
            m.put("params_total", stats.paramsTotal());
            m.put("params_trainable", stats.paramsTrainable());
            m.put("macs", stats.macs());
            m.put("description", spec.description());
            m.put("reference", spec.reference());
            m.put("options", spec.options().stream().map(ModelOption::id).toList());
            if (atDefaults()) {
                m.put("reference_params_trainable", spec.figures().trainableParams());
                m.put("reference_macs", spec.figures().macs());
                m.put("reference_figures_source", spec.figures().source());
            }
            if (withLayers) {
                List<Map<String, Object>> layers = new ArrayList<>();
                for (GraphStats.LayerRow r : stats.layers()) {
                    Map<String, Object> l = new LinkedHashMap<>();
                    l.put("name", r.name());
                    l.put("type", r.type());
                    l.put("output_shape", r.outputShape());
                    l.put("params", r.params());
                    l.put("macs", r.macs());
                    l.put("trainable", r.trainable());
                    layers.add(l);
                }
                m.put("layers", layers);
            }
            return m;
        }
    }

    static Entry entry(ModelSpec spec, ModelConfig config) {
        var conf = ModelRegistry.configuration(spec.name(), config);
        return new Entry(spec, config, GraphStats.of(conf, InputType.convolutional(config.height(), config.width(), config.channels())));
    }

    private static void printTable(List<Entry> entries) {
        System.out.printf("%-26s %-14s %-13s %7s %13s %13s %9s %8s%n", "model", "task", "input", "classes",
                "params", "trainable", "GMACs", "vs ref");
        for (Entry e : entries) {
            String vsRef = e.atDefaults() ? matches(e) : "-";
            System.out.printf(Locale.ROOT, "%-26s %-14s %-13s %7d %,13d %,13d %9.3f %8s%n", e.spec().name(),
                    e.spec().task().id(), "3x" + e.config().height() + "x" + e.config().width(), e.config().classes(),
                    e.stats().paramsTotal(), e.stats().paramsTrainable(), e.stats().macs() / 1e9, vsRef);
        }
        System.out.println("vs ref: trainable parameters equal to the reference implementation's and MACs within 1% "
                + "(at the default configuration); references: segspark models --json");
    }

    private static String matches(Entry e) {
        boolean params = e.stats().paramsTrainable() == e.spec().figures().trainableParams();
        boolean macs = Math.abs(e.stats().macs() - e.spec().figures().macs()) <= 0.01 * e.spec().figures().macs();
        return params && macs ? "match" : (params ? "MACs off" : "params off");
    }

    private static void printSummary(Entry e) {
        System.out.printf("%s: %s%nreference: %s%ninput 3x%dx%d, %d classes%n%n", e.spec().name(), e.spec().description(),
                e.spec().reference(), e.config().height(), e.config().width(), e.config().classes());
        int nameWidth = Math.max(5, e.stats().layers().stream().mapToInt(r -> r.name().length()).max().orElse(5));
        int typeWidth = Math.max(4, e.stats().layers().stream().mapToInt(r -> r.type().length()).max().orElse(4));
        String fmt = "%-" + nameWidth + "s  %-" + typeWidth + "s  %-18s %,12d %,15d%s%n";
        String head = "%-" + nameWidth + "s  %-" + typeWidth + "s  %-18s %12s %15s%n";
        System.out.printf(head, "layer", "type", "output shape", "params", "MACs");
        for (GraphStats.LayerRow r : e.stats().layers()) {
            System.out.printf(Locale.ROOT, fmt, r.name(), r.type(), r.outputShape(), r.params(), r.macs(),
                    r.trainable() ? "" : "  (frozen)");
        }
        long stats = e.stats().paramsTotal() - e.stats().paramsTrainable();
        System.out.printf(Locale.ROOT, "%nparams: %,d total, %,d trainable, %,d not trained (batch-norm statistics, frozen layers)%n"
                        + "MACs: %,d per image%n", e.stats().paramsTotal(), e.stats().paramsTrainable(), stats,
                e.stats().macs());
    }
}
