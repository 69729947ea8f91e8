package org.segspark.jobs.k8s;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Spark operator manifest in k8s/ validates against the operator's published CRD schema
 * (v2.5.2, sparkoperator.k8s.io/v1beta2; see test resources k8s/crd/PROVENANCE.txt), and the
 * check catches what kubectl would refuse: unknown fields, wrong types, missing required fields,
 * values outside an enum.
 */
class K8sCrdValidationTest {
    private static final Path K8S = Path.of("../k8s");
    private static final String CRD = "/k8s/crd/sparkoperator.k8s.io_";
    private static Map<String, CrdSchema> schemas;

    @BeforeAll
    static void load() throws IOException {
        schemas = Map.of(
                "SparkApplication", CrdSchema.load(CRD + "sparkapplications.yaml.gz", "v1beta2"),
                "ScheduledSparkApplication", CrdSchema.load(CRD + "scheduledsparkapplications.yaml.gz", "v1beta2"));
    }

    static Stream<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().toList();
            assertFalse(yaml.isEmpty(), "no manifests in " + K8S.toAbsolutePath());
            return yaml.stream();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String text) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object o : CrdSchema.yaml().loadAll(text)) {
            if (o != null) {
                docs.add((Map<String, Object>) o);
            }
        }
        return docs;
    }

    @ParameterizedTest
    @MethodSource("manifests")
    void everyManifestValidatesAgainstTheOperatorsSchema(Path manifest) throws IOException {
        List<Map<String, Object>> docs = documents(Files.readString(manifest));
        assertFalse(docs.isEmpty(), manifest + " is empty");
        for (Map<String, Object> doc : docs) {
            CrdSchema schema = schemas.get(String.valueOf(doc.get("kind")));
            assertTrue(schema != null, manifest + ": kind " + doc.get("kind") + " is not a Spark operator resource");
            assertEquals(List.of(), schema.validate(doc), manifest.getFileName() + " against the " + schema.kind() + " CRD");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCheckRefusesWhatTheApiServerWouldRefuse() throws IOException {
        CrdSchema app = schemas.get("SparkApplication");
        String text = Files.readString(K8S.resolve("train-gpu.yaml"));

        Map<String, Object> typo = documents(text).get(0);
        Map<String, Object> executor = (Map<String, Object>) ((Map<String, Object>) typo.get("spec")).get("executor");
        executor.put("gpus", executor.remove("gpu"));
        List<String> errors = app.validate(typo);
        assertTrue(errors.contains("spec.executor.gpus: unknown field (did you mean gpu?)"), errors.toString());

        Map<String, Object> wrongType = documents(text).get(0);
        ((Map<String, Object>) ((Map<String, Object>) wrongType.get("spec")).get("driver")).put("cores", "two");
        assertEquals(List.of("spec.driver.cores: must be integer, got String \"two\""), app.validate(wrongType));

        Map<String, Object> missing = documents(text).get(0);
        ((Map<String, Object>) missing.get("spec")).remove("mainApplicationFile");
        ((Map<String, Object>) missing.get("spec")).put("mode", "standalone");
        List<String> both = app.validate(missing);
        assertTrue(both.contains("spec.mainApplicationFile: required"), both.toString());
        assertTrue(both.contains("spec.mode: \"standalone\" is not one of [cluster, client]"), both.toString());

        Map<String, Object> otherKind = documents(text).get(0);
        otherKind.put("apiVersion", "sparkoperator.k8s.io/v1beta1");
        assertTrue(app.validate(otherKind).get(0).startsWith("apiVersion:"));
    }

    @Test
    void theStoredSchemasAreThePublishedFiles() throws Exception {
        String provenance = new String(K8sCrdValidationTest.class.getResourceAsStream("/k8s/crd/PROVENANCE.txt")
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        for (String name : new String[] {"sparkapplications", "scheduledsparkapplications"}) {
            try (InputStream in = new GZIPInputStream(K8sCrdValidationTest.class.getResourceAsStream(CRD + name + ".yaml.gz"))) {
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
                assertTrue(provenance.contains(sha + "  sparkoperator.k8s.io_" + name + ".yaml"), name + " " + sha);
            }
        }
    }
}
