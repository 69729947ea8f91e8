package org.segspark.jobs.k8s;

import org.segspark.jobs.config.Settings;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A CustomResourceDefinition's structural schema (openAPIV3Schema of one served version),
 * checked the way the Kubernetes API server checks an object with strict field validation:
 * types (with int-or-string), required fields, enums, patterns, bounds and formats, and unknown
 * fields, which the server would prune (or, strictly, refuse) unless the schema preserves them.
 * CEL rules (x-kubernetes-validations) are not evaluated.
 */
final class CrdSchema {
    private static final LoaderOptions OPTIONS = new LoaderOptions();

    static {
        OPTIONS.setCodePointLimit(8 * 1024 * 1024);
    }

    private final String group;
    private final String kind;
    private final String version;
    private final Map<String, Object> schema;

    private CrdSchema(String group, String kind, String version, Map<String, Object> schema) {
        this.group = group;
        this.kind = kind;
        this.version = version;
        this.schema = schema;
    }

    static Yaml yaml() {
        return new Yaml(new SafeConstructor(OPTIONS));
    }

    /** The schema of {@code version} in a gzipped CRD resource. */
    @SuppressWarnings("unchecked")
    static CrdSchema load(String resource, String version) throws IOException {
        try (InputStream in = CrdSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            Map<String, Object> crd = (Map<String, Object>) yaml().load(new GZIPInputStream(in));
            Map<String, Object> spec = map(crd.get("spec"));
            String kind = (String) map(spec.get("names")).get("kind");
            for (Object v : (List<Object>) spec.get("versions")) {
                Map<String, Object> ver = map(v);
                if (version.equals(ver.get("name")) && Boolean.TRUE.equals(ver.get("served"))) {
                    return new CrdSchema((String) spec.get("group"), kind, version,
                            map(map(ver.get("schema")).get("openAPIV3Schema")));
                }
            }
            throw new IOException(resource + " serves no version " + version);
        }
    }

    String kind() {
        return kind;
    }

    /** Every violation in {@code object}, each as "path: what is wrong"; empty when it is valid. */
    List<String> validate(Map<String, Object> object) {
        List<String> errors = new ArrayList<>();
        if (!(group + "/" + version).equals(object.get("apiVersion"))) {
            errors.add("apiVersion: " + object.get("apiVersion") + ", this schema is " + group + "/" + version);
        }
        if (!kind.equals(object.get("kind"))) {
            errors.add("kind: " + object.get("kind") + ", this schema is " + kind);
        }
        Object metadata = object.get("metadata");
        if (!(metadata instanceof Map<?, ?> md) || !(md.get("name") instanceof String name) || name.isEmpty()) {
            errors.add("metadata.name: required");
        } else if (!name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || name.length() > 253) {
            errors.add("metadata.name: \"" + name + "\" is not a DNS subdomain name");
        }
        check(object, schema, "", errors);
        return errors;
    }

    @SuppressWarnings("unchecked")
    private static void check(Object value, Map<String, Object> s, String path, List<String> errors) {
        String at = path.isEmpty() ? "<root>" : path;
        if (value == null) {
            if (!Boolean.TRUE.equals(s.get("nullable"))) {
                errors.add(at + ": null");
            }
            return;
        }
        if (Boolean.TRUE.equals(s.get("x-kubernetes-int-or-string"))) {
            if (!(value instanceof String) && !isInteger(value)) {
                errors.add(at + ": must be an integer or a string, got " + describe(value));
            }
            return;
        }
        String type = (String) s.get("type");
        if (type != null && !hasType(value, type)) {
            errors.add(at + ": must be " + type + ", got " + describe(value));
            return;
        }
        if (s.get("enum") instanceof List<?> allowed && allowed.stream().noneMatch(a -> a.toString().equals(value.toString()))) {
            errors.add(at + ": \"" + value + "\" is not one of " + allowed);
        }
        if (value instanceof String str) {
            if (s.get("pattern") instanceof String p && !Pattern.compile(p).matcher(str).find()) {
                errors.add(at + ": \"" + str + "\" does not match " + p);
            }
            if (s.get("maxLength") instanceof Number max && str.length() > max.longValue()) {
                errors.add(at + ": longer than " + max);
            }
        }
        if (value instanceof Number n) {
            if (s.get("minimum") instanceof Number min && n.doubleValue() < min.doubleValue()) {
                errors.add(at + ": " + n + " is below the minimum " + min);
            }
            if (s.get("maximum") instanceof Number max && n.doubleValue() > max.doubleValue()) {
                errors.add(at + ": " + n + " is above the maximum " + max);
            }
            if ("int32".equals(s.get("format")) && isInteger(n)
                    && (n.longValue() > Integer.MAX_VALUE || n.longValue() < Integer.MIN_VALUE)) {
                errors.add(at + ": " + n + " does not fit int32");
            }
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> props = s.get("properties") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
            if (s.get("required") instanceof List<?> required) {
                for (Object r : required) {
                    if (!m.containsKey(r)) {
                        errors.add(join(path, r.toString()) + ": required");
                    }
                }
            }
            Object additional = s.get("additionalProperties");
            boolean preserve = Boolean.TRUE.equals(s.get("x-kubernetes-preserve-unknown-fields"));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                String child = join(path, key);
                if (props.containsKey(key)) {
                    check(e.getValue(), map(props.get(key)), child, errors);
                } else if (additional instanceof Map<?, ?> a) {
                    check(e.getValue(), (Map<String, Object>) a, child, errors);
                } else if (!preserve && !Boolean.TRUE.equals(additional) && !isOpenObject(s)) {
                    errors.add(child + ": unknown field" + suggestion(key, props.keySet()));
                }
            }
        }
        if (value instanceof List<?> list) {
            if (s.get("items") instanceof Map<?, ?> items) {
                for (int i = 0; i < list.size(); i++) {
                    check(list.get(i), (Map<String, Object>) items, path + "[" + i + "]", errors);
                }
            }
            if (s.get("minItems") instanceof Number min && list.size() < min.intValue()) {
                errors.add(at + ": fewer than " + min + " items");
            }
        }
    }

    /** metadata is declared as a bare object: the API server validates it itself. */
    private static boolean isOpenObject(Map<String, Object> s) {
        return "object".equals(s.get("type")) && !s.containsKey("properties") && !s.containsKey("additionalProperties");
    }

    private static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = Settings.distance(key.toLowerCase(), k.toLowerCase());
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? " (known: " + known + ")" : " (did you mean " + best + "?)";
    }

    private static boolean hasType(Object v, String type) {
        return switch (type) {
            case "object" -> v instanceof Map;
            case "array" -> v instanceof List;
            case "string" -> v instanceof String;
            case "integer" -> isInteger(v);
            case "number" -> v instanceof Number;
            case "boolean" -> v instanceof Boolean;
            default -> true;
        };
    }

    private static boolean isInteger(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof BigInteger;
    }

    private static String describe(Object v) {
        return v.getClass().getSimpleName() + " " + (v instanceof String ? "\"" + v + "\"" : v);
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
