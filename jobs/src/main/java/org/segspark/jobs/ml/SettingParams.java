package org.segspark.jobs.ml;

import com.typesafe.config.Config;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.Identifiable;
import org.segspark.core.config.Choice;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.predict.PredictJob;
import org.segspark.jobs.train.TrainConfig;
import org.segspark.preprocess.pairs.PairedFolderSettings;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spark ML Params made from segspark's declared settings: a Param's type follows the setting's,
 * its documentation is the setting's, a value is checked by the setting's rule when it is set (the
 * message says which rule), and its default is the setting's in {@code conf/}. A Param holds a
 * choice by its name ("gradient-sharing"), as the configuration files do.
 */
final class SettingParams implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The sections Params are made from, by name. */
    private static final Map<String, SettingsSection> SECTIONS = Map.of(TrainConfig.SECTION.name(), TrainConfig.SECTION,
            PairedFolderSettings.SECTION.name(), PairedFolderSettings.SECTION, PredictJob.SECTION.name(),
            PredictJob.SECTION);

    /** A Param and the setting it stands for (by section and key: a Setting is not serialisable). */
    record Bound(Param<?> param, String section, String key) implements Serializable {
        /** The HOCON path of the setting, e.g. train.optimizer.lr. */
        String path() {
            return section + "." + key;
        }
    }

    private final Identifiable parent;
    private final List<Bound> bound = new ArrayList<>();

    SettingParams(Identifiable parent) {
        this.parent = parent;
    }

    IntParam integer(String name, SettingsSection section, Setting<Integer> s) {
        return bind(new IntParam(parent, name, doc(s), new Check<>(section.name(), s.key())), section, s);
    }

    LongParam longInteger(String name, SettingsSection section, Setting<Long> s) {
        return bind(new LongParam(parent, name, doc(s), new Check<>(section.name(), s.key())), section, s);
    }

    DoubleParam number(String name, SettingsSection section, Setting<Double> s) {
        return bind(new DoubleParam(parent, name, doc(s), new Check<>(section.name(), s.key())), section, s);
    }

    BooleanParam flag(String name, SettingsSection section, Setting<Boolean> s) {
        return bind(new BooleanParam(parent, name, doc(s)), section, s);
    }

    Param<String> text(String name, SettingsSection section, Setting<String> s) {
        return bind(new Param<>(parent, name, doc(s), new Check<>(section.name(), s.key())), section, s);
    }

    <E extends Enum<E> & Choice> Param<String> choice(String name, SettingsSection section, Setting<E> s) {
        return bind(new Param<>(parent, name, doc(s), new Check<>(section.name(), s.key())), section, s);
    }

    private static String doc(Setting<?> s) {
        return s.rule() == null ? s.doc() : s.doc() + " (" + s.key() + " " + s.rule() + ")";
    }

    private <P extends Param<?>> P bind(P p, SettingsSection section, Setting<?> s) {
        bound.add(new Bound(p, section.name(), s.key()));
        return p;
    }

    /** Every bound Param's default, from its setting's conf/ file (settings without a default have none). */
    void setDefaults(Defaults target) {
        Map<String, Config> defaults = new LinkedHashMap<>();
        for (Bound b : bound) {
            Config d = defaults.computeIfAbsent(b.section(), k -> JobConfig.defaults(SECTIONS.get(k)));
            if (d.hasPath(b.key())) {
                target.set(untyped(b.param()), typed(b.param(), d.getAnyRef(b.key())));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Param<Object> untyped(Param<?> p) {
        return (Param<Object>) p;
    }

    /** HOCON's number as the Param's own type (a weight decay of 0 reads as an integer). */
    private static Object typed(Param<?> p, Object v) {
        if (p instanceof IntParam) {
            return ((Number) v).intValue();
        }
        if (p instanceof LongParam) {
            return ((Number) v).longValue();
        }
        if (p instanceof DoubleParam) {
            return ((Number) v).doubleValue();
        }
        return v;
    }

    /** Sets a Param's default: Params' own setDefault is protected. */
    interface Defaults {
        void set(Param<Object> p, Object value);
    }

    /** The value (set or default) of every bound Param of {@code section} that has one, by its HOCON path. */
    Map<String, Object> values(Params owner, SettingsSection section) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Bound b : bound) {
            if (b.section().equals(section.name()) && owner.isDefined(b.param())) {
                values.put(b.path(), owner.getOrDefault(b.param()));
            }
        }
        return values;
    }

    /** Checks a value by its setting's rule; throws with the rule's message, as a configuration file would. */
    static final class Check<T> extends AbstractFunction1<T, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String section;
        private final String key;

        Check(String section, String key) {
            this.section = section;
            this.key = key;
        }

        @Override
        public Object apply(T value) {
            SettingsSection s = SECTIONS.get(section);
            s.settings().stream().filter(x -> x.key().equals(key)).findFirst().orElseThrow().parse(value, section);
            return Boolean.TRUE;
        }
    }
}
