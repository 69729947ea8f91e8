package org.segspark.preprocess.coco;

import org.segspark.preprocess.io.ImagePaths;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One image of a COCO file with its annotations: the unit of work shipped to an executor (the
 * image bytes are read there). {@code problem} names the first unusable annotation, which makes
 * the whole image unusable: a label map missing one instance would teach the wrong class.
 */
public record CocoImageRecord(CocoImage image, List<CocoAnnotation> annotations, String problem)
        implements Serializable {

    /**
     * The image's identity: its file name in one spelling ({@code ./x.jpg} and {@code a/../x.jpg}
     * are {@code x.jpg}), or the name as written when it cannot be normalised (that image is a reject).
     */
    public String key() {
        try {
            return ImagePaths.normalize(image.fileName());
        } catch (IllegalArgumentException e) {
            return image.fileName();
        }
    }

    public static List<CocoImageRecord> of(CocoInstances instances) {
        List<CocoImageRecord> records = new ArrayList<>(instances.images().size());
        for (CocoImage image : instances.images()) {
            List<CocoAnnotation> anns = instances.annotationsOf(image.id());
            String problem = image.problem();
            for (CocoAnnotation a : anns) {
                if (problem == null && !a.usable()) {
                    problem = a.problem();
                    break;
                }
            }
            records.add(new CocoImageRecord(image, problem == null ? anns : List.of(), problem));
        }
        return records;
    }
}
