package org.segspark.preprocess.coco;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.OutputFolder;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.image.BadImageException;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.LabelPng;
import org.segspark.preprocess.io.Accounting;
import org.segspark.preprocess.io.ImagePaths;
import org.segspark.preprocess.io.InputTree;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.io.RejectsTable;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code segspark coco-masks}: one 8-bit PNG label map per image at the image's own size, named
 * after the image file. Executors check each image exists and has the size the annotations say
 * (from its header), paint and write; the driver writes {@code classes.json} and the rejects table.
 */
public final class CocoMasksJob {
    public static final String CLASSES_FILE = "classes.json";

    public static final Setting<String> OUT = Setting.requiredText("out",
                    "Output folder: <image path>.png label maps, classes.json and rejects.csv.")
            .option("--out", "DIR", "Output folder");
    public static final Setting<Boolean> FORCE = OutputFolder.FORCE;

    /** Annotations, images and mapping are the COCO source's settings. */
    public static final SettingsSection SECTION = new SettingsSection("coco-masks", List.of(CocoSettings.ANNOTATIONS,
            CocoSettings.IMAGES, OUT, FORCE, CocoSettings.MAPPING));

    /** Runs over the coco-masks section's values. */
    public static Result run(JavaSparkContext jsc, SettingsSection.Values v) throws IOException {
        return run(jsc, v.get(CocoSettings.ANNOTATIONS), v.get(CocoSettings.IMAGES), v.get(OUT), v.get(CocoSettings.MAPPING),
                v.get(FORCE));
    }

    private CocoMasksJob() {
    }

    public record Result(Accounting accounting, List<Reject> rejects, LabelMapping mapping) {
    }

    public static Result run(JavaSparkContext jsc, String annotations, String images, String out, String mapping,
                             boolean force) throws IOException {
        Configuration conf = jsc.hadoopConfiguration();
        CocoSource source = CocoSource.read(annotations, mapping, conf);
        InputTree.requireFolder(images, conf, "--images");
        OutputFolder.claim(out, conf, KIND, force, "--out");
        List<CocoImageRecord> records = new ArrayList<>();
        List<Reject> duplicates = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (CocoImageRecord r : CocoImageRecord.of(source.instances())) {
            String key = r.key();
            if (names.add(key)) {
                records.add(r);
            } else {
                duplicates.add(new Reject(r.image().fileName(), "list", "another image entry names the same file " + key));
            }
        }
        SerializableConf sconf = new SerializableConf(conf);
        LabelMapping map = source.mapping();
        Path outRoot = HadoopFiles.path(out);
        HadoopFiles.fs(outRoot, conf).mkdirs(outRoot);
        int partitions = Math.max(1, Math.min(records.size(), jsc.defaultParallelism() * 4));
        jsc.setJobDescription("coco-masks: " + records.size() + " images -> " + out);
        List<Reject> taskRejects = jsc.parallelize(records, partitions)
                .flatMap(r -> writeMask(r, images, outRoot.toString(), map, sconf).stream().iterator())
                .collect();
        List<Reject> rejects = new ArrayList<>(source.orphanRejects());
        rejects.addAll(duplicates);
        rejects.addAll(taskRejects);
        long inputs = records.size() + duplicates.size() + source.orphanRejects().size();
        Accounting accounting = Accounting.check(inputs, records.size() - taskRejects.size(), rejects.size());
        RejectsTable.write(new Path(outRoot, RejectsTable.FILE), conf, rejects);
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode classes = m.createObjectNode();
        classes.put("name", map.name());
        classes.putPOJO("classes", map.classNames());
        ObjectNode cats = classes.putObject("categories");
        map.categoryToClass().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> cats.put(Long.toString(e.getKey()), e.getValue()));
        classes.put("ignore_label", LabelMapping.IGNORE);
        HadoopFiles.writeAtomically(new Path(outRoot, CLASSES_FILE), conf, m.writeValueAsBytes(classes));
        return new Result(accounting, rejects, map);
    }

    /** What coco-masks writes; a folder of its label maps also has the classes file. */
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("coco-masks", CLASSES_FILE);

    /** The label map's file name: the image's, with the extension replaced by .png. */
    public static String maskName(String imageFileName) {
        int slash = imageFileName.lastIndexOf('/');
        int dot = imageFileName.lastIndexOf('.');
        String stem = dot > slash ? imageFileName.substring(0, dot) : imageFileName;
        return stem + ".png";
    }

    /** Writes one label map; returns the reject if it could not. */
    private static Optional<Reject> writeMask(CocoImageRecord r, String images, String out, LabelMapping map,
                                    SerializableConf sconf) {
        CocoImage image = r.image();
        String name = image.fileName();
        if (r.problem() != null) {
            return reject(name, "annotations", r.problem());
        }
        Configuration conf = sconf.get();
        Path path;
        Path target;
        try {
            path = ImagePaths.resolve(HadoopFiles.path(images), name);
            target = ImagePaths.resolve(new Path(out), maskName(name));
        } catch (IllegalArgumentException e) {
            return reject(name, "path", e.getMessage());
        }
        int[] size;
        try {
            HadoopFiles.requireRegularFile(path);
            FileSystem fs = HadoopFiles.fs(path, conf);
            if (fs.getFileStatus(path).getLen() == 0) {
                return reject(name, "read", "zero-byte file " + path);
            }
            try (InputStream in = fs.open(path)) {
                size = ImageDecoder.size(in);
            }
        } catch (FileNotFoundException e) {
            return reject(name, "read", "missing file " + path);
        } catch (IOException e) {
            return reject(name, "read", "cannot read " + path + ": " + e.getMessage());
        } catch (BadImageException e) {
            return reject(name, "decode", e.getMessage());
        }
        if (size[0] != image.width() || size[1] != image.height()) {
            return reject(name, "decode", "image is " + size[0] + "x" + size[1] + " but the annotations say "
                    + image.width() + "x" + image.height());
        }
        try {
            byte[] labels = LabelMapBuilder.build(image, r.annotations(), map);
            HadoopFiles.writeAtomically(target, conf, LabelPng.encode(labels, image.width(), image.height()));
        } catch (RuntimeException e) {
            return reject(name, "rasterise", e.getMessage());
        } catch (IOException e) {
            return reject(name, "write", "cannot write " + target + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    private static Optional<Reject> reject(String path, String stage, String reason) {
        return Optional.of(new Reject(path, stage, reason));
    }
}
