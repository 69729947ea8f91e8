package org.segspark.preprocess.coco;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.Reject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A COCO annotations file read on the driver, with its chosen label mapping and fingerprint. */
public record CocoSource(String annotationsPath, CocoInstances instances, LabelMapping mapping, String sha256,
                         long bytes) {

    public static CocoSource read(String annotations, String mapping, Configuration conf) throws IOException {
        Path path = HadoopFiles.path(annotations);
        byte[] json = HadoopFiles.readAll(path, conf);
        CocoInstances instances = CocoInstances.read(new ByteArrayInputStream(json), annotations);
        return new CocoSource(annotations, instances, resolveMapping(mapping, instances, conf),
                HadoopFiles.sha256(json), json.length);
    }

    public static LabelMapping resolveMapping(String mapping, CocoInstances instances, Configuration conf)
            throws IOException {
        if (mapping == null || mapping.isBlank() || mapping.equals("categories")) {
            return LabelMapping.byCategoryOrder(instances.categories());
        }
        if (mapping.equals("coco4")) {
            return LabelMapping.coco4();
        }
        Path p = HadoopFiles.path(mapping);
        if (!HadoopFiles.fs(p, conf).exists(p)) {
            throw new IllegalArgumentException("mapping \"" + mapping + "\" is neither a built-in mapping "
                    + "(categories, coco4) nor an existing file");
        }
        try (InputStream in = HadoopFiles.fs(p, conf).open(p)) {
            return LabelMapping.fromJson(in, mapping);
        }
    }

    /** Annotations that name no image of the file: inputs that cannot be used. */
    public List<Reject> orphanRejects() {
        List<Reject> rejects = new ArrayList<>();
        for (CocoAnnotation a : instances.orphans()) {
            rejects.add(new Reject(annotationsPath, "annotations", a.imageId() < 0 && a.problem() != null ? a.problem()
                    : "annotation " + a.id() + " names unknown image id " + a.imageId()));
        }
        return rejects;
    }

    public Map<String, Object> describe(String images) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "coco");
        m.put("annotations", annotationsPath);
        m.put("annotations_sha256", sha256);
        m.put("annotations_bytes", bytes);
        m.put("images", images);
        m.put("image_count", instances.images().size());
        m.put("annotation_count", instances.annotationCount());
        m.put("mapping", mapping.name());
        return m;
    }
}
