package org.segspark.preprocess.coco;

import java.io.Serializable;

/**
 * An entry of a COCO file's {@code annotations} array. {@code problem} is null for a usable
 * annotation, otherwise the reason it cannot be used (its segmentation is then null).
 */
public record CocoAnnotation(long id, long imageId, long categoryId, boolean crowd,
                             Segmentation segmentation, String problem) implements Serializable {

    public boolean usable() {
        return problem == null;
    }
}
