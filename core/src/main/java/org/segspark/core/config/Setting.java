package org.segspark.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One setting of a job section, declared once: its key (within the section), its type, what it
 * means, the rule its values obey and, if it has one, its command-line option. Its default is the
 * section's {@code conf/<job>.conf} value. The typed settings, the validation messages, the
 * commands' options and docs/SETTINGS.md all come from the declarations.
 *
 * @param <T> the value's type; null stands for HOCON null where the type allows it
 */
public final class Setting<T> {
    /** How a value is read from HOCON and converted from a command-line option's text. */
    interface Type<T> {
        T read(Config section, String key);

        /** The type's name in the documentation. */
        String name();

        /** The picocli option type. */
        public Class<?> optionType();

        default boolean required() {
            return false;
        }
    }

    private final String key;
    private final Type<T> type;
    private final String doc;
    private final Predicate<T> check;
    private final String rule;
    private final String option;
    private final String label;
    private final String optionDoc;
    private final boolean negatable;
    private final String formerOption;

    private Setting(String key, Type<T> type, String doc, Predicate<T> check, String rule, String option, String label,
                    String optionDoc, boolean negatable, String formerOption) {
        this.negatable = negatable;
        this.formerOption = formerOption;
        this.key = key;
        this.type = type;
        this.doc = doc;
        this.check = check;
        this.rule = rule;
        this.option = option;
        this.label = label;
        this.optionDoc = optionDoc;
    }

    private static <T> Setting<T> of(String key, Type<T> type, String doc) {
        return new Setting<>(key, type, doc, v -> true, null, null, null, null, false, null);
    }

    public static Setting<Integer> integer(String key, String doc) {
        return of(key, simple("integer", Integer.class, Config::getInt), doc);
    }

    public static Setting<Long> longInteger(String key, String doc) {
        return of(key, simple("integer", Long.class, Config::getLong), doc);
    }

    public static Setting<Double> number(String key, String doc) {
        return of(key, simple("number", Double.class, Config::getDouble), doc);
    }

    public static Setting<Boolean> flag(String key, String doc) {
        return of(key, simple("boolean", Boolean.class, Config::getBoolean), doc);
    }

    public static Setting<String> text(String key, String doc) {
        return of(key, simple("string", String.class, Config::getString), doc);
    }

    /** A string the section must set (its default is null). */
    public static Setting<String> requiredText(String key, String doc) {
        return of(key, new Type<>() {
            @Override
            public String read(Config section, String k) {
                if (!section.hasPath(k) || section.getString(k).isBlank()) {
                    throw new MissingSettingException(k);
                }
                return section.getString(k);
            }

            @Override
            public String name() {
                return "string, required";
            }

            @Override
            public boolean required() {
                return true;
            }

            @Override
            public Class<?> optionType() {
                return String.class;
            }
        }, doc);
    }

    /** A string, or null. */
    public static Setting<String> optionalText(String key, String doc) {
        return of(key, nullable(simple("string", String.class, Config::getString)), doc);
    }

    public static Setting<Integer> optionalInteger(String key, String doc) {
        return of(key, nullable(simple("integer", Integer.class, Config::getInt)), doc);
    }

    public static Setting<Boolean> optionalFlag(String key, String doc) {
        return of(key, nullable(simple("boolean", Boolean.class, Config::getBoolean)), doc);
    }

    public static Setting<List<String>> texts(String key, String doc) {
        return of(key, simple("list of strings", List.class, Config::getStringList), doc);
    }

    /** A HOCON object or a string (a path, or JSON), given on as compact JSON text or the string; or null. */
    public static Setting<String> objectOrText(String key, String doc) {
        return of(key, new Type<>() {
            @Override
            public String read(Config section, String k) {
                if (!section.hasPath(k)) {
                    return null;     // absent or null
                }
                ConfigValue v = section.getValue(k);
                return v.valueType() == ConfigValueType.OBJECT ? v.render(ConfigRenderOptions.concise()) : section.getString(k);
            }

            @Override
            public String name() {
                return "object or string";
            }

            @Override
            public Class<?> optionType() {
                return String.class;
            }
        }, doc);
    }

    /** One of an enum's constants, written as their {@link Choice#id()}. */
    public static <E extends Enum<E> & Choice> Setting<E> choice(String key, Class<E> type, String doc) {
        return of(key, choiceType(type), doc);
    }

    /** One of an enum's constants, or null. */
    public static <E extends Enum<E> & Choice> Setting<E> optionalChoice(String key, Class<E> type, String doc) {
        return of(key, nullable(choiceType(type)), doc);
    }

    private static <E extends Enum<E> & Choice> Type<E> choiceType(Class<E> type) {
        return new Type<>() {
            @Override
            public E read(Config section, String k) {
                return Choice.parse(type, section.getString(k), k);
            }

            @Override
            public String name() {
                return Choice.ids(type);
            }

            @Override
            public Class<?> optionType() {
                return String.class;
            }
        };
    }

    /** A value of any HOCON form, read by {@code reader} (which validates it and names the key in its errors). */
    public static <T> Setting<T> custom(String key, String typeName, SectionReader<T> reader, String doc) {
        return of(key, new Type<>() {
            @Override
            public T read(Config section, String k) {
                return reader.read(section, k);
            }

            @Override
            public String name() {
                return typeName;
            }

            @Override
            public Class<?> optionType() {
                return String.class;
            }
        }, doc);
    }

    /** Reads a custom setting. */
    public interface SectionReader<T> {
        T read(Config section, String key);
    }

    /** Values must pass {@code ok}; otherwise "KEY RULE, got VALUE". */
    public Setting<T> check(Predicate<T> ok, String rule) {
        Predicate<T> before = check;
        return new Setting<>(key, type, doc, v -> before.test(v) && (v == null || ok.test(v)),
                rule == null ? this.rule : rule, option, label, optionDoc, negatable, formerOption);
    }

    public Setting<T> atLeast(double min) {
        return check(v -> ((Number) v).doubleValue() >= min, "must be >= " + plain(min));
    }

    public Setting<T> positive() {
        return check(v -> ((Number) v).doubleValue() > 0, "must be positive");
    }

    /** The command-line option that sets it, e.g. {@code --lr}, with its value's label and a one-line help. */
    public Setting<T> option(String name, String valueLabel, String help) {
        return new Setting<>(key, type, doc, check, rule, name, valueLabel, help, negatable, formerOption);
    }

    /** A flag's option that also has a --no- form (--overlays / --no-overlays). */
    public Setting<T> negatable() {
        return new Setting<>(key, type, doc, check, rule, option, label, optionDoc, true, formerOption);
    }

    /**
     * The option's spelling in the previous release, still accepted for one release with a warning
     * that names the new one (a renamed option must not break a user's scripts unannounced).
     */
    public Setting<T> formerly(String oldOption) {
        return new Setting<>(key, type, doc, check, rule, option, label, optionDoc, negatable, oldOption);
    }

    public String formerOption() {
        return formerOption;
    }

    /** Whether the section must set it: its default is null and no value is valid without it. */
    public boolean isRequired() {
        return type.required();
    }

    public boolean isNegatable() {
        return negatable;
    }

    public String key() {
        return key;
    }

    public String doc() {
        return doc;
    }

    public String typeName() {
        return type.name();
    }

    public String rule() {
        return rule;
    }

    public String optionName() {
        return option;
    }

    public String optionLabel() {
        return label;
    }

    /** The option's help: its own line, or the setting's documentation. */
    public String optionHelp() {
        return optionDoc != null ? optionDoc : doc;
    }

    public Class<?> optionType() {
        return type.optionType();
    }

    /**
     * A value given outside HOCON (a Spark ML Param's, say), read and checked as the section would read
     * it; {@code where} names the section in errors.
     */
    public T parse(Object value, String where) {
        return read(ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(value)), where);
    }

    /** The value in {@code section} (the section's keys relative to it); {@code where} names the section in errors. */
    T read(Config section, String where) {
        T v;
        try {
            v = type.read(section, key);
        } catch (MissingSettingException e) {
            throw new IllegalArgumentException(option == null ? "missing setting " + where + "." + key
                    : option + " is required (setting " + where + "." + key + ")");
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(where + "." + key + " must be a " + type.name() + ": " + e.getMessage(), e);
        }
        if (!check.test(v)) {
            throw new IllegalArgumentException(key + " " + rule + ", got " + v);
        }
        return v;
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private interface Getter<T> {
        T get(Config c, String key);
    }

    private static <T> Type<T> simple(String name, Class<?> optionType, Getter<T> getter) {
        return new Type<>() {
            @Override
            public T read(Config section, String k) {
                return getter.get(section, k);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Class<?> optionType() {
                return optionType;
            }
        };
    }

    private static <T> Type<T> nullable(Type<T> t) {
        return new Type<>() {
            @Override
            public T read(Config section, String k) {
                return !section.hasPathOrNull(k) || section.getIsNull(k) ? null : t.read(section, k);
            }

            @Override
            public String name() {
                return t.name() + " or null";
            }

            @Override
            public Class<?> optionType() {
                return t.optionType();
            }
        };
    }

    private static final class MissingSettingException extends RuntimeException {
        MissingSettingException(String key) {
            super(key, null, false, false);
        }
    }

    @Override
    public String toString() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Setting<?> s && s.key.equals(key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key);
    }
}
