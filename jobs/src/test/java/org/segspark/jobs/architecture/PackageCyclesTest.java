package org.segspark.jobs.architecture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.segspark.core.BuildInfo;
import org.segspark.jobs.train.TrainJob;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.nas.NasModels;
import org.segspark.preprocess.job.ShardJob;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The house's rules, from the compiled classes of every module (the JDK's jdeps): no package
 * depends on a package that depends back on it, and training names neither nas nor a mode's
 * internals outside its strategies.
 */
class PackageCyclesTest {
    /** Class to the classes it uses, segspark's only. */
    private static final Map<String, Set<String>> USES = new TreeMap<>();

    @BeforeAll
    static void readClasses() throws Exception {
        List<String> args = new ArrayList<>(List.of("-verbose:class", "-filter:none", "-e", "org\\.segspark\\..*"));
        for (Class<?> c : List.of(BuildInfo.class, ShardJob.class, ModelRegistry.class, NasModels.class, TrainJob.class)) {
            args.add(location(c));
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args.toArray(String[]::new));
        assertEquals(0, rc, "jdeps failed");
        for (String line : out.toString().split("\n")) {
            String[] p = line.trim().split("\\s+");
            if (p.length >= 3 && p[1].equals("->") && p[0].startsWith("org.segspark.") && p[2].startsWith("org.segspark.")) {
                USES.computeIfAbsent(topLevel(p[0]), k -> new TreeSet<>()).add(topLevel(p[2]));
            }
        }
        assertTrue(USES.size() > 150, "jdeps found " + USES.size() + " classes");
    }

    @Test
    void noPackageCycle() {
        Map<String, Set<String>> packages = new TreeMap<>();
        USES.forEach((from, to) -> to.forEach(t -> {
            if (!pkg(from).equals(pkg(t))) {
                packages.computeIfAbsent(pkg(from), k -> new TreeSet<>()).add(pkg(t));
            }
        }));
        List<Set<String>> cycles = new ArrayList<>();
        for (Set<String> component : components(packages)) {
            if (component.size() > 1) {
                cycles.add(component);
            }
        }
        assertEquals(List.of(), cycles, "packages that depend on each other");
    }

    @Test
    void trainingNamesNoSearchAndNoModelOfItsOwn() {
        List<String> offenders = new ArrayList<>();
        USES.forEach((from, to) -> {
            String p = pkg(from);
            if (p.startsWith("org.segspark.jobs.train") || p.equals("org.segspark.jobs.run")
                    || p.equals("org.segspark.jobs.report") || p.equals("org.segspark.jobs.eval")) {
                to.stream().filter(t -> t.startsWith("org.segspark.nas")).forEach(t -> offenders.add(from + " -> " + t));
            }
        });
        assertEquals(List.of(), offenders);
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String topLevel(String cls) {
        int dollar = cls.indexOf('$');
        return dollar < 0 ? cls : cls.substring(0, dollar);
    }

    private static String pkg(String cls) {
        return cls.substring(0, cls.lastIndexOf('.'));
    }

    /** Strongly connected components (Tarjan), iterative enough for a few dozen packages. */
    private static List<Set<String>> components(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> on = new HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : g.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, g, index, low, stack, on, out, counter);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> g, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> on, List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        on.add(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, g, index, low, stack, on, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (on.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                on.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }
}
