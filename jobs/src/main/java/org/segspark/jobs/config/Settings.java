package org.segspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings segspark knows: every path of every job's defaults in {@code conf/}. A setting a
 * user writes that is not one of them (a typo such as {@code train.epohcs}) would otherwise be
 * carried along and ignored, so it is refused with the nearest known path. Some subtrees are open:
 * {@code spark.conf} takes any Spark property, the nas architecture its own settings (checked by
 * the nas models), and a sweep's grid and trials train or nas settings (checked by the sweep).
 */
public final class Settings {
    /** Every job whose defaults ship in conf/ (a user's file may carry sections of several). */
    static final List<String> JOBS = List.of("bench", "bench-export", "bench-models", "bench-preprocess", "coco-masks", "demo",
            "export", "nas-demo", "predict", "preprocess-cifar10", "preprocess-coco", "preprocess-cub", "preprocess-folders",
            "preprocess-idx", "preprocess-imagefolder", "spark", "sweep", "synth-coco", "train");
    static final List<String> OPEN = List.of("spark.conf", "train.model-options.architecture", "sweep.grid", "sweep.trials");

    /**
     * Objects a user's layer replaces instead of merging into: a sweep's grid multiplies its keys'
     * values, so keys left over from the defaults would multiply the trials unasked.
     */
    static final List<String> REPLACED = List.of("sweep.grid");

    /** Keys renamed in this release, old -> new: still read, with a warning, until the next one. */
    static final Map<String, String> RENAMED = Map.of("train.checkpoint.keep", "train.keep-checkpoints");

    private static volatile Set<String> known;

    /**
     * {@code user} with renamed keys moved to their new names (one line on standard error each); a
     * run folder written by the previous release keeps loading.
     */
    static Config renamed(Config user, String where) {
        Config c = user;
        for (Map.Entry<String, String> r : RENAMED.entrySet()) {
            if (c.hasPathOrNull(r.getKey())) {
                System.err.println("segspark: " + r.getKey() + " " + where + " is now " + r.getValue()
                        + "; the old key is read until the next release");
                if (!c.hasPathOrNull(r.getValue())) {
                    c = c.withValue(r.getValue(), c.getValue(r.getKey()));
                }
                c = c.withoutPath(r.getKey());
                String parent = r.getKey().substring(0, r.getKey().lastIndexOf('.'));
                if (c.hasPath(parent) && c.getObject(parent).isEmpty()) {
                    c = c.withoutPath(parent);
                }
            }
        }
        return c;
    }

    private Settings() {
    }

    /** Every known path, objects included. */
    static Set<String> known() {
        if (known == null) {
            Set<String> paths = new TreeSet<>();
            for (String job : JOBS) {
                collect(JobConfig.defaults(job).root(), "", paths, false);
            }
            known = paths;
        }
        return known;
    }

    /** Throws {@link UnknownSettingException} for the first path of {@code user} that segspark does not know. */
    static void requireKnown(ConfigObject user, String where) {
        List<String> paths = new ArrayList<>();
        collect(user, "", new TreeSet<>(), true).forEach(paths::add);
        for (String p : paths) {
            requireKnown(p, where);
        }
    }

    /** Refuses one path (quoted HOCON form, as {@link ConfigUtil#joinPath} gives). */
    public static void requireKnown(String path, String where) {
        if (known().contains(path) || OPEN.stream().anyMatch(o -> path.equals(o) || path.startsWith(o + "."))) {
            return;
        }
        String near = nearest(path);
        throw new UnknownSettingException("unknown setting " + path + " " + where
                + (near == null ? "" : "; did you mean " + near + "?"));
    }

    private static Set<String> collect(ConfigObject o, String prefix, Set<String> out, boolean leavesOnly) {
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
            String path = prefix.isEmpty() ? ConfigUtil.joinPath(e.getKey()) : prefix + "." + ConfigUtil.joinPath(e.getKey());
            boolean object = e.getValue() instanceof ConfigObject;
            if (!object || !leavesOnly) {
                out.add(path);
            }
            if (object && !OPEN.contains(path)) {
                collect((ConfigObject) e.getValue(), path, out, leavesOnly);
            } else if (object && leavesOnly) {
                out.add(path);
            }
        }
        return out;
    }

    static String nearest(String path) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known()) {
            int d = distance(path, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return bestD <= Math.max(3, path.length() / 3) ? best : null;
    }

    /** Levenshtein distance: the edits between a mistyped name and a known one. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
