package org.segspark.models.registry;

import org.deeplearning4j.nn.conf.serde.JsonMappers;
import org.nd4j.shade.jackson.databind.DeserializationContext;
import org.nd4j.shade.jackson.databind.JavaType;
import org.nd4j.shade.jackson.databind.deser.DeserializationProblemHandler;
import org.nd4j.shade.jackson.databind.jsontype.TypeIdResolver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A saved network names the class of each of its layers; when a layer class moves to another
 * package, networks saved before still name the old one. DL4J's JSON mapper asks this handler for
 * a class it cannot find, and gets the class under its new name.
 */
final class RenamedClasses extends DeserializationProblemHandler {
    private static final RenamedClasses INSTANCE = new RenamedClasses();
    private final Map<String, Class<?>> renamed = new ConcurrentHashMap<>();

    static {
        JsonMappers.getMapper().addHandler(INSTANCE);
        JsonMappers.getLegacyMapper().addHandler(INSTANCE);
    }

    private RenamedClasses() {
    }

    static void register(Map<String, Class<?>> oldNames) {
        INSTANCE.renamed.putAll(oldNames);
    }

    @Override
    public JavaType handleUnknownTypeId(DeserializationContext ctxt, JavaType baseType, String subTypeId,
                                        TypeIdResolver idResolver, String failureMsg) {
        Class<?> now = renamed.get(subTypeId);
        return now == null ? null : ctxt.constructType(now);
    }
}
